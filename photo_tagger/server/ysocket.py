"""The libraries over the y-websocket protocol, for any Yjs client (a web or mobile companion):
`ws(s)://HOST/v1/ws/LIBRARY_ID?token=TOKEN`, which is what y-websocket's
`new WebsocketProvider("ws://HOST/v1/ws", LIBRARY_ID, doc, {params: {token}})` opens (the token
may come as `Authorization: Bearer TOKEN` instead, from clients that can set headers).

The protocol itself (sync steps, updates, awareness, and passing each library's edits to every
client connected to it) is pycrdt-websocket's, the Jupyter project's implementation: a room per
library, holding the library's document. What comes in goes through the same door as an HTTP
sync before the room takes it: the token must open that library, and every update a client sends
is merged, checked and stored by `Replicas` first (values of the wrong shape, updates that cannot
be merged and too much left waiting are refused: the connection is closed with a code and the
reason, and nothing is stored). Edits that reach the server another way (an HTTP sync, another
server process on the same database, a restore) reach the room within FOLLOW_EVERY seconds.
The rooms run while a client is connected.
"""

# no `from __future__ import annotations`: FastAPI reads the route annotations at run time
import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, WebSocket
from fastapi.concurrency import run_in_threadpool
from pycrdt import Doc
from pycrdt.websocket import WebsocketServer, YRoom
from starlette.websockets import WebSocketDisconnect

from photo_tagger.server.http import token_opens
from photo_tagger.server.replicas import BadUpdate, Misshapen, Replicas, TooMuchWaiting
from photo_tagger.server.storage import Storage
from photo_tagger.store.wire import MESSAGE_SYNC, STEP1, decode_messages, decode_reply

log = logging.getLogger(__name__)

PATH = "/v1/ws"
FOLLOW_EVERY = 1.0  # seconds between looks for edits that reached the library another way
EMPTY_STATE = b"\x00"
# close codes (4000-4999 are the application's): what the client sent and why it was refused
REFUSED_TOKEN, NOT_SYNC, CANNOT_MERGE, TOO_MUCH_WAITING, WRONG_SHAPE = 4401, 4400, 4400, 4409, 4422


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        # a close frame's reason is at most 123 bytes
        self.reason = reason.encode()[:120].decode(errors="ignore")


class Channel:
    """One client's connection as a room sees it: the messages it sends, each update among them
    stored by `Replicas` before the room has it."""

    def __init__(self, socket: WebSocket, library_id: str, replicas: Replicas) -> None:
        self.socket = socket
        self.library_id = library_id
        self.replicas = replicas

    @property
    def path(self) -> str:
        return self.library_id  # the room's name

    def __aiter__(self) -> "Channel":
        return self

    async def __anext__(self) -> bytes:
        return await self.recv()

    async def send(self, message: bytes) -> None:
        # a client gone: the room lets it go when its loop ends
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self.socket.send_bytes(message)

    async def recv(self) -> bytes:
        while True:
            try:
                message = await self.socket.receive_bytes()
            except (WebSocketDisconnect, RuntimeError, KeyError):
                raise StopAsyncIteration from None
            try:
                await self.store(message)
            except Refused as exc:
                await self.socket.close(exc.code, exc.reason)
                raise StopAsyncIteration from None
            return message

    async def store(self, message: bytes) -> None:
        """Store the updates a sync message carries; Refused says why it cannot be."""
        if not message or message[0] != MESSAGE_SYNC:
            return  # awareness and the rest: the room's to read, nothing to store
        try:
            messages = decode_messages(message)
        except ValueError as exc:
            raise Refused(NOT_SYNC, f"Not a sync message: {exc}.") from None
        updates = [payload for kind, payload in messages if kind != STEP1]
        if not updates:
            return
        try:
            await run_in_threadpool(self.replicas.write, self.library_id, updates)
        except BadUpdate as exc:
            raise Refused(CANNOT_MERGE, f"Nothing was stored: {exc}.") from None
        except Misshapen as exc:
            raise Refused(WRONG_SHAPE, f"Nothing was stored: {exc}.") from None
        except TooMuchWaiting as exc:
            raise Refused(TOO_MUCH_WAITING, f"Refused: {exc}.") from None


class Rooms(WebsocketServer):
    """A room per library, its document read from `Replicas` when the room opens and kept up
    with edits stored another way."""

    def __init__(self, replicas: Replicas) -> None:
        super().__init__(rooms_ready=True, auto_clean_rooms=True, exception_handler=logged)
        self.replicas = replicas

    async def get_room(self, name: str) -> YRoom:
        if name not in self.rooms:
            doc: Doc = Doc()
            doc.apply_update(await run_in_threadpool(self.replicas.state, name))
            room = YRoom(ready=True, ydoc=doc, exception_handler=logged, log=log)
            self.rooms[name] = room
            assert self._task_group is not None
            self._task_group.start_soon(self.follow, name, room)
        room = self.rooms[name]
        await self.start_room(room)
        return room

    async def follow(self, name: str, room: YRoom) -> None:
        """Bring into the room what reaches the library another way, while the room is open."""
        while self.rooms.get(name) is room:
            await asyncio.sleep(FOLLOW_EVERY)
            state = room.ydoc.get_state()
            try:
                reply = await run_in_threadpool(self.replicas.sync, name, state, [])
            except Exception as exc:  # the database may be away for a while: look again later
                log.warning("Could not read library %s for its live clients: %s", name, exc)
                continue
            update, _ = decode_reply(reply)
            if self.rooms.get(name) is room and update not in (b"", b"\x00\x00"):
                room.ydoc.apply_update(update)


def logged(exception: Exception, logger: logging.Logger) -> bool:
    logger.warning("A live sync connection ended: %s", exception)
    return True


class LiveSync:
    """The rooms, run while at least one client is connected."""

    def __init__(self, replicas: Replicas) -> None:
        self.replicas = replicas
        self.rooms: Rooms | None = None
        self.clients = 0
        self._task: asyncio.Task[Any] | None = None
        self._lock: asyncio.Lock | None = None

    async def serve(self, channel: Channel) -> None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self.rooms is None:
                self.rooms = Rooms(self.replicas)
                self._task = asyncio.create_task(self.rooms.start())
                await self.rooms.started.wait()
            rooms = self.rooms
            self.clients += 1
        try:
            await rooms.serve(channel)
        finally:
            async with self._lock:
                self.clients -= 1
                if self.clients == 0 and self.rooms is rooms:
                    self.rooms = None
                    await rooms.stop()
                    if self._task is not None:
                        await self._task


def add_live_sync(app: FastAPI, storage: Storage, replicas: Replicas) -> LiveSync:
    """Serve the libraries over y-websocket at PATH/{library_id}."""
    live = LiveSync(replicas)
    opens: Callable[[str | None], str | None] = lambda token: token_opens(storage, token)  # noqa: E731

    @app.websocket(PATH + "/{library_id}")
    async def live_sync(socket: WebSocket, library_id: str) -> None:
        token = socket.query_params.get("token")
        header = socket.headers.get("authorization", "")
        if token is None and header.lower().startswith("bearer "):
            token = header[7:].strip()
        if await run_in_threadpool(opens, token) != library_id:
            await socket.close(
                REFUSED_TOKEN, "A valid token for this library is needed (?token=TOKEN)."
            )
            return
        await socket.accept()
        await live.serve(Channel(socket, library_id, replicas))

    return live
