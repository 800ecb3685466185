"""`photo-tagger serve`'s own app (sync, model registry, cloud model) on a real uvicorn on
127.0.0.1, in a thread of the test process, noting the path of every request it receives. It can
stop and start again on the same port, as a server that goes away and comes back."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from photo_tagger.server.run import ServerSettings
from photo_tagger.server.storage import Storage


class LiveServer:
    def __init__(self, data: Path, storage: Storage) -> None:
        self.app = ServerSettings(data=str(data)).app(storage)
        self.paths: list[str] = []
        self.port = 0
        self.url = ""
        self._server: uvicorn.Server | None = None

    async def _noting(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)

    def start(self) -> LiveServer:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self._noting, log_level="warning", lifespan="off", interface="asgi3", access_log=False
        )
        server = self._server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and self._thread.is_alive(), "no server"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._sock.close()
            self._server = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
