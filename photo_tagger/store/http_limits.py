"""HTTP exchanges with a size cap and an overall deadline, for every client of a server: the sync
client (sync.py), the inference client and the model updater (cloud/).

A server's answer is read as a stream: reading stops as soon as it goes past the cap the caller
gives (an endless answer cannot fill the memory) or past the exchange's deadline. The deadline
covers the whole exchange, from connecting to the answer's last byte: a watchdog shuts the
connection's socket down when it passes, so that neither a status line and headers nor a body
dripped a byte at a time can keep the program waiting for ever (the per-read timeout bounds each
wait, the deadline the whole). Going past either raises an `AnswerLimitError` saying what
happened; each caller handles it as it handles a server that cannot be reached.

The watchdog needs to know the connection's socket, which requests does not show: the session's
adapter for http:// and https:// becomes a `DeadlineAdapter` at its first exchange here, whose
connections hand their sockets to the watch of the exchange under way on their thread.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager, ProxyManager

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

    def __init__(
        self,
        response: requests.Response,
        limits: HttpLimits,
        started: float,
        watch: Watch | None = None,
    ) -> None:
        self.response = response
        self.limits = limits
        self.started = started
        self.watch = watch
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
                self._check_cut()
                raise requests.Timeout(str(exc)) from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                self._check_cut()
                raise requests.ConnectionError(str(exc)) from None
            if not chunk:
                self._check_cut()  # the watchdog's shutdown reads as the answer's end
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
            raise AnswerTooSlow(_too_slow(self.url, self.limits))

    def _check_cut(self) -> None:
        if self.watch is not None and self.watch.fired:
            raise AnswerTooSlow(_too_slow(self.url, self.limits))

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
    Connection failures raise requests' own errors, as `session.request` does; an answer whose
    head has not arrived by the deadline raises AnswerTooSlow."""
    started = time.monotonic()
    timeout = (limits.connect_timeout, min(limits.read_timeout, limits.deadline))
    with Watch(limits.deadline) as watch:
        with _watching(session, url, watch):
            try:
                response = session.request(method, url, stream=True, timeout=timeout, **kwargs)
            except requests.RequestException:
                if watch.fired:
                    raise AnswerTooSlow(_too_slow(url, limits)) from None
                raise
        try:
            yield Exchange(response, limits, started, watch)
        finally:
            response.close()


def exchange(
    session: requests.Session, method: str, url: str, limits: HttpLimits, **kwargs: Any
) -> Reply:
    """Send a request and read its whole answer within `limits`."""
    with open_exchange(session, method, url, limits, **kwargs) as answer:
        return answer.read()


# --- the watchdog ------------------------------------------------------------------------------


class Watch:
    """Ends one exchange at its deadline, wherever it is: at the deadline the sockets of its
    connections are shut down, so that a read waiting on them returns at once (as the end of the
    answer, or an error) and `fired` says why. Each socket is held as a duplicate of its own, so
    that one the connection closes meanwhile is never confused with a file opened since."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._ended = False
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> Watch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._ended = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def hold(self, sock: socket.socket) -> None:
        """Watch a socket the exchange uses (shut at once if the deadline has passed)."""
        with self._lock:
            if self._ended:
                return
            try:
                held = sock.dup()
            except OSError:
                return  # already closed: nothing to wait on
            self._sockets.append(held)
            if self.fired:
                _shut(held)

    def _cut(self) -> None:
        with self._lock:
            if self._ended:
                return
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # the connection is gone already
        sock.shutdown(socket.SHUT_RDWR)


class _Watches(threading.local):
    """The watch of the exchange under way on each thread, if any."""

    watch: Watch | None = None


class WatchedConnection(HTTPConnection):
    """A connection that hands its socket to the watch of the exchange using it."""

    watches: _Watches | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._hand_over(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if self.sock is not None:  # a kept-alive connection, used again
            self._hand_over(self.sock)
        super().request(*args, **kwargs)

    def _hand_over(self, sock: socket.socket) -> None:
        watch = self.watches.watch if self.watches is not None else None
        if watch is not None:
            watch.hold(sock)


class WatchedTLSConnection(WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = WatchedConnection
    watches: _Watches | None = None

    def _new_conn(self) -> Any:
        return _watched(super()._new_conn(), self.watches)


class _WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedTLSConnection
    watches: _Watches | None = None

    def _new_conn(self) -> Any:
        return _watched(super()._new_conn(), self.watches)


def _watched(conn: Any, watches: _Watches | None) -> Any:
    if isinstance(conn, WatchedConnection):
        conn.watches = watches
    return conn


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, whose connections are watched by the exchange using them."""

    def __init__(self) -> None:
        self.watches = _Watches()
        super().__init__()

    @contextmanager
    def watching(self, watch: Watch) -> Iterator[None]:
        self.watches.watch = watch
        try:
            yield
        finally:
            self.watches.watch = None

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self._watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is ProxyManager:  # a SOCKS proxy's connections are its own
            self._watch_pools(manager)
        return manager

    def _watch_pools(self, manager: PoolManager) -> None:
        attributes = {"watches": self.watches}
        manager.pool_classes_by_scheme = {
            "http": type("WatchedPool", (_WatchedPool,), attributes),
            "https": type("WatchedTLSPool", (_WatchedTLSPool,), attributes),
        }


def _watching(session: requests.Session, url: str, watch: Watch) -> AbstractContextManager[None]:
    """Let `watch` hold the sockets of the session's connections to `url`: the session's adapter
    for http:// and https:// becomes a DeadlineAdapter at its first exchange here (one the caller
    mounted for a narrower prefix is left as it is, unwatched)."""
    if not isinstance(session.get_adapter(url), DeadlineAdapter):
        ours = DeadlineAdapter()
        session.mount("http://", ours)
        session.mount("https://", ours)
    adapter = session.get_adapter(url)
    return adapter.watching(watch) if isinstance(adapter, DeadlineAdapter) else nullcontext()


def _too_slow(url: str, limits: HttpLimits) -> str:
    return (
        f"the answer from {_host(url)} did not arrive in full within {limits.deadline:g} "
        "seconds (it came too slowly); reading it stopped"
    )


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0] or url


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KB"
    return f"{n} bytes"
