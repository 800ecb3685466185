"""A hostile HTTP server on 127.0.0.1, in a thread: per path, it answers normally, with a body
that does not end, with a body dripped a byte at a time, or with a status line and headers dripped
a byte at a time that never end. Each hostile answer stops by itself after a while
(`ENDLESS_BYTES`, `DRIP_BYTES`, `HEAD_DRIP_BYTES`), so a client without limits gets a late, wrong
answer instead of hanging the tests; `ended` says, per answer, whether the client hung up on it
before it was all sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ENDLESS_BYTES = 64 << 20  # what an "endless" answer sends before giving up
DRIP_BYTES = 40  # what a drip sends, one byte per `drip_interval`
HEAD_DRIP_BYTES = 240  # what a dripped head sends (2 minutes at 0.5 s a byte), then it hangs up


@dataclass(frozen=True)
class Answer:
    kind: str  # "bytes", "endless", "drip" or "drip-head"
    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    headers: tuple[tuple[str, str], ...] = ()


def as_json(value: Any, status: int = 200) -> Answer:
    return Answer("bytes", status, json.dumps(value).encode(), "application/json")


def endless() -> Answer:
    return Answer("endless")


def drip() -> Answer:
    return Answer("drip")


def drip_head() -> Answer:
    """A status line, then a header that goes on a byte at a time: the headers never end."""
    return Answer("drip-head")


Route = Callable[[str, str], Answer]  # (method, path) -> answer


class HostileServer:
    def __init__(self, route: Route, drip_interval: float = 0.1) -> None:
        self.route = route
        self.drip_interval = drip_interval
        self.stopping = threading.Event()
        self.paths: list[str] = []
        self.bodies: list[bytes] = []  # of the requests, as they arrive (a route may read them)
        self.ended: list[tuple[str, str]] = []  # (path, "sent" or "hung up"), as answers end
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            server.bodies.append(self.rfile.read(length))
            server.paths.append(self.path)
            answer = server.route(method, self.path)
            sent = self._send(answer)
            server.ended.append((self.path, "sent" if sent else "hung up"))

        def _send(self, answer: Answer) -> bool:
            """Whether the answer was sent in full (not when the client hung up first)."""
            if answer.kind == "drip-head":
                return self._drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * HEAD_DRIP_BYTES)
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Type", answer.content_type)
            if answer.kind == "bytes":
                self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                if answer.kind == "bytes":
                    self.wfile.write(answer.body)
                elif answer.kind == "endless":
                    block = b"x" * (1 << 16)
                    for _ in range(ENDLESS_BYTES // len(block)):
                        if server.stopping.is_set():
                            return False
                        self.wfile.write(block)
                else:
                    return self._drip(b"x" * DRIP_BYTES)
            except OSError:
                return False  # the client hung up, as it should
            return True

        def _drip(self, data: bytes) -> bool:
            try:
                for i in range(len(data)):
                    if server.stopping.is_set():
                        return False
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(server.drip_interval)
            except OSError:
                return False  # the client hung up, as it should
            return True

    return Handler
