"""HTTP exchanges with a size cap and an overall deadline, for every client of a server: the sync
client (sync.py), the inference client and the model updater (cloud/).

A server's answer is read as a stream: reading stops as soon as it goes past the cap the caller
gives (an endless answer cannot fill the memory) or past the exchange's deadline (an answer
dripping a byte at a time cannot keep the program waiting for ever: the per-read timeout bounds
each wait, the deadline the whole). Going past either raises an `AnswerLimitError` saying what
happened; each caller handles it as it handles a server that cannot be reached.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

READ_SIZE = 1 << 16  # bytes asked of the connection at a time


@dataclass(frozen=True)
class HttpLimits:
    """How much of an answer is read, and for how long."""

    max_bytes: int  # the largest answer body accepted
    deadline: float = 600.0  # seconds for the whole exchange, request and answer
    connect_timeout: float = 10.0  # seconds to connect
    read_timeout: float = 60.0  # seconds any one read may wait (the answer's start included)


class AnswerLimitError(Exception):
    """An answer went past its size cap or its deadline; reading it stopped."""


class AnswerTooLarge(AnswerLimitError):
    pass


class AnswerTooSlow(AnswerLimitError):
    pass


@dataclass(frozen=True)
class Reply:
    """A whole answer, read within its limits."""

    status_code: int
    reason: str
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON; nesting too deep to parse is a ValueError like any bad JSON."""
        try:
            return json.loads(self.content)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class Exchange:
    """An answer whose head has arrived and whose body is read by `chunks()` within limits."""

    def __init__(self, response: requests.Response, limits: HttpLimits, started: float) -> None:
        self.response = response
        self.limits = limits
        self.started = started
        self.status_code = response.status_code
        self.reason = str(response.reason or "")
        self.headers: Mapping[str, str] = response.headers
        self.url = response.url

    def chunks(self) -> Iterator[bytes]:
        """The body, piece by piece as it arrives; AnswerLimitError past the cap or deadline."""
        limits, raw = self.limits, self.response.raw
        declared = self.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise AnswerTooLarge(self._too_large(f"announced {_size(int(declared))}"))
        size = 0
        while True:
            self._check_deadline()
            try:
                chunk = raw.read1(min(READ_SIZE, limits.max_bytes - size + 1), decode_content=True)
            except urllib3.exceptions.ReadTimeoutError as exc:
                raise requests.Timeout(str(exc)) from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise requests.ConnectionError(str(exc)) from None
            if not chunk:
                return
            size += len(chunk)
            if size > limits.max_bytes:
                raise AnswerTooLarge(self._too_large("went on"))
            yield chunk

    def read(self) -> Reply:
        body = b"".join(self.chunks())
        return Reply(self.status_code, self.reason, self.headers, body)

    def _check_deadline(self) -> None:
        if time.monotonic() - self.started > self.limits.deadline:
            raise AnswerTooSlow(
                f"the answer from {_host(self.url)} did not arrive in full within "
                f"{self.limits.deadline:g} seconds (it came too slowly); reading it stopped"
            )

    def _too_large(self, what: str) -> str:
        return (
            f"the answer from {_host(self.url)} {what} past the {_size(self.limits.max_bytes)} "
            "accepted; reading it stopped"
        )


@contextmanager
def open_exchange(
    session: requests.Session, method: str, url: str, limits: HttpLimits, **kwargs: Any
) -> Iterator[Exchange]:
    """Send a request; the answer's body is then read from the Exchange within `limits`.
    Connection failures raise requests' own errors, as `session.request` does."""
    started = time.monotonic()
    timeout = (limits.connect_timeout, min(limits.read_timeout, limits.deadline))
    response = session.request(method, url, stream=True, timeout=timeout, **kwargs)
    try:
        yield Exchange(response, limits, started)
    finally:
        response.close()


def exchange(
    session: requests.Session, method: str, url: str, limits: HttpLimits, **kwargs: Any
) -> Reply:
    """Send a request and read its whole answer within `limits`."""
    with open_exchange(session, method, url, limits, **kwargs) as answer:
        return answer.read()


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0] or url


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KB"
    return f"{n} bytes"
