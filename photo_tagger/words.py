"""What the user reads: a failure from outside (network, disk, database) said in words, and counts
of things with the right plural. The window and the command line both say things through here.

`reason(exc)` says what happened in a few words a user understands ("the server did not answer
in time", "the disk is full"), never the text of the library that raised it; `details(exc)` is
that text, for a "Details" part or the log. `count(3, "photo")` is "3 photos".

Nothing here imports the libraries whose errors it words: an error of `requests` exists only once
`requests` was imported, so it is looked up in `sys.modules`.
"""

from __future__ import annotations

import errno
import sys

# errno -> what it means for the user
_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "it does not exist (moved or deleted?)",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder, not a file",
    errno.EEXIST: "something of that name is already there",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "the disk could not be read or written (is it damaged or unplugged?)",
    errno.EMFILE: "too many files are open",
    errno.ENFILE: "too many files are open",
    errno.ECONNREFUSED: "the connection was refused (nothing is running at that address and port)",
    errno.ETIMEDOUT: "the server did not answer in time",
    errno.EHOSTUNREACH: "the server's computer cannot be reached on the network",
    errno.ENETUNREACH: "there is no network",
    errno.ECONNRESET: "the connection broke off",
    errno.EPIPE: "the connection broke off",
}

_HTTP_REASONS = {
    400: "the server did not understand the request",
    401: "the server refused the token",
    403: "the server refused the token",
    404: "the server has nothing at that address (is it the right address?)",
    408: "the server gave up waiting",
    409: "the server refused the change",
    413: "the server refused it as too large",
    422: "the server refused what was sent",
    429: "the server is busy (too many requests)",
    500: "the server failed (an error on the server)",
    502: "a proxy in front of the server could not reach it",
    503: "the server is busy or down for now",
    504: "a proxy in front of the server got no answer from it",
}

# words that libraries put in their messages, and what they mean (checked in this order)
_TEXT_REASONS = (
    ("CERTIFICATE_VERIFY_FAILED", "the server's certificate is not trusted (secure connection)"),
    ("SSLError", "the secure (HTTPS) connection failed: the certificate or the address is wrong"),
    ("[SSL", "the secure (HTTPS) connection failed: the certificate or the address is wrong"),
    ("Connection refused", _OS_REASONS[errno.ECONNREFUSED]),
    ("Name or service not known", "the server's name was not found: check the address"),
    ("nodename nor servname", "the server's name was not found: check the address"),
    ("getaddrinfo failed", "the server's name was not found: check the address"),
    ("Temporary failure in name resolution", "names cannot be looked up: is the network on?"),
    ("No route to host", _OS_REASONS[errno.EHOSTUNREACH]),
    ("Network is unreachable", _OS_REASONS[errno.ENETUNREACH]),
    ("timed out", _OS_REASONS[errno.ETIMEDOUT]),
    ("Connection reset", _OS_REASONS[errno.ECONNRESET]),
    ("Connection aborted", _OS_REASONS[errno.ECONNRESET]),
    ("RemoteDisconnected", "the server closed the connection without answering"),
    ("database or disk is full", _OS_REASONS[errno.ENOSPC]),
    ("database is locked", "another program is using the library right now"),
    ("readonly database", "the library's files are read-only"),
    ("unable to open database", "the library's database file cannot be opened"),
    ("file is not a database", "the library's database file is damaged"),
    ("database disk image is malformed", "the library's database file is damaged"),
    ("disk I/O error", _OS_REASONS[errno.EIO]),
    ("KeyringLocked", "the keyring is locked"),
    ("keyring is locked", "the keyring is locked"),
)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 photo", "3 photos", "2 people" (count(2, "person", "people"))."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def http_reason(status: int) -> str:
    """What an HTTP status means for the user, its number in brackets."""
    words = _HTTP_REASONS.get(status)
    if words is None:
        words = "the server failed" if status >= 500 else "the server refused the request"
    return f"{words} (HTTP {status})"


def reason(exc: BaseException, unknown: str | None = None) -> str:
    """What went wrong, in words a user understands: never a library's own text. Photo-tagger's
    own errors are worded where they are raised, and say it as they are. `unknown`: what to say
    of a failure none of these words fit (default: that something unexpected went wrong)."""
    from photo_tagger.errors import PhotoTaggerError

    if isinstance(exc, PhotoTaggerError):
        return str(exc)
    words = _requests_reason(exc)
    if words is None and isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        words = _OS_REASONS[exc.errno]
    if words is None and isinstance(exc, TimeoutError):
        words = _OS_REASONS[errno.ETIMEDOUT]
    if words is None:
        words = _from_text(exc)
    if words is None and isinstance(exc, OSError) and exc.errno is not None:
        words = "the disk or the network failed"
    if words is None and _is(exc, "sqlite3", "Error"):
        words = "the library's database failed"
    return words or unknown or f"something unexpected went wrong ({type(exc).__name__})"


def details(exc: BaseException) -> str:
    """The technical text of `exc` and what caused it, one line each: for "Details" and logs."""
    lines, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}: {current}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def _requests_reason(exc: BaseException) -> str | None:
    requests = sys.modules.get("requests")
    if requests is None or not isinstance(exc, requests.RequestException):
        return None
    if isinstance(exc, requests.Timeout):
        return _OS_REASONS[errno.ETIMEDOUT]
    if isinstance(exc, requests.exceptions.SSLError):
        return _from_text(exc) or "the secure (HTTPS) connection failed"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "that is not a web address (it looks like http://192.168.1.20:8765)"
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return "that is not a web address (it starts with http:// or https://)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return _OS_REASONS[errno.ECONNRESET]
    if exc.response is not None:
        return http_reason(exc.response.status_code)
    if isinstance(exc, requests.ConnectionError):
        return _from_text(exc) or "the server cannot be reached (no connection)"
    return None


def _from_text(exc: BaseException) -> str | None:
    """Words for what the exception (or what caused it) says, where a library hides the
    errno in its text ("[Errno 111] Connection refused")."""
    chain = details(exc)
    for needle, words in _TEXT_REASONS:
        if needle in chain:
            return words
    return None


def _is(exc: BaseException, module: str, name: str) -> bool:
    mod = sys.modules.get(module)
    kind = getattr(mod, name, None) if mod is not None else None
    return isinstance(kind, type) and isinstance(exc, kind)
