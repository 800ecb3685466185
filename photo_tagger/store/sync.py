"""Sync with the cloud peer: one HTTP round trip carries the Yjs sync protocol both ways.

The request body is Yjs sync messages (y-protocols framing, as pycrdt writes them): first
SYNC_STEP1 with this library's state vector, then SYNC_UPDATE messages with the edits the server
has not acknowledged. The server merges them and answers SYNC_STEP2 (everything this library lacks),
followed, only if the server lacks something this library has, by SYNC_STEP1 (its own state vector
after the merge). The server refuses (422) a request that writes values no device's reads would
take; this device then says which and asks for `photo-tagger check --repair`.

What has gone up is tracked by row: the document log numbers every update row and marks the ones
edited here; after a successful sync the library remembers the last row sent (`SYNCED_UPTO`), and
the next sync sends the local rows after it. Retrying is safe: a Yjs update applied twice changes
nothing, so a sync whose answer was lost just sends the same rows again. If the server answers with
its state vector because it lacks something this library has (a server restored from a backup),
a second round trip sends exactly that, computed from the document. If it refuses the rows
with 409 (it keeps too many edits waiting for others it never received, and these would wait
too), the library syncs from scratch: it sends its whole document, once, and says so in words if
that is refused too.

Syncing in the background, for the window, is background_sync.py's; the bytes on the wire are
wire.py's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NoReturn, Protocol

import requests
from pycrdt import merge_updates

from photo_tagger import __version__
from photo_tagger.errors import (
    LibraryError,
    SyncNotConfiguredError,
    SyncOfflineError,
    SyncRefusedError,
    SyncServerError,
)
from photo_tagger.store.http_limits import AnswerLimitError, HttpLimits, Reply, exchange
from photo_tagger.store.persistence import EMPTY_UPDATE, SYNCED_UPTO, DocumentLog
from photo_tagger.store.wire import (
    LIBRARY_HEADER,
    MEDIA_TYPE,
    SYNC_PATH,
    decode_reply,
    encode_request,
    lacks,
)
from photo_tagger.words import http_reason, reason

SERVER_KEY, TOKEN_KEY, LIBRARY_KEY, LAST_SYNC_KEY = (
    "sync.server",
    "sync.token",
    "sync.library",
    "sync.last_synced",
)
MAX_ANSWER = 64 << 20  # the largest answer read: the server's largest body (its default)
DEADLINE = 600.0  # seconds for one round trip: 64 MB at ~1 Mbit/s


# --- what the library remembers -------------------------------------------------------------------


@dataclass(frozen=True)
class SyncSettings:
    server: str
    token: str

    @classmethod
    def of(cls, doc_log: DocumentLog) -> SyncSettings | None:
        """The server and token remembered for the library, if any."""
        server, token = doc_log.setting(SERVER_KEY), doc_log.setting(TOKEN_KEY)
        if not server or not token:
            return None
        return cls(str(server), str(token))


def check_server_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise SyncNotConfiguredError(
            f"'{url}' is not a sync server address: give one like https://photos.example.org "
            "or http://192.168.1.20:8765."
        )
    return url


def remember(doc_log: DocumentLog, server: str, token: str) -> SyncSettings:
    """Remember the server and token; another server or token starts over (everything is sent
    at the next sync, as that server may have nothing of this library)."""
    settings = SyncSettings(check_server_url(server), token.strip())
    if not settings.token:
        raise SyncNotConfiguredError(
            "The token is empty: `photo-tagger server add-library` on the server prints one."
        )
    if SyncSettings.of(doc_log) != settings:
        doc_log.set_settings(
            {
                SERVER_KEY: settings.server,
                TOKEN_KEY: settings.token,
                SYNCED_UPTO: None,
                LIBRARY_KEY: None,
                LAST_SYNC_KEY: None,
            }
        )
    return settings


def forget(doc_log: DocumentLog) -> None:
    doc_log.set_settings(
        dict.fromkeys((SERVER_KEY, TOKEN_KEY, SYNCED_UPTO, LIBRARY_KEY, LAST_SYNC_KEY))
    )


def pending_edits(doc_log: DocumentLog) -> int:
    """Edits made here that the server has not acknowledged (durable: counted from the log)."""
    synced = doc_log.setting(SYNCED_UPTO)
    if synced is not None:
        return doc_log.count_local_updates_since(int(synced))
    local = doc_log.count_local_updates_since(0)
    # never synced: everything goes up, including edits a compaction folded into a snapshot
    return local if local or doc_log.last_row_id() == 0 else 1


# --- one sync ---------------------------------------------------------------------------------


class HasLog(Protocol):
    """A Library, or anything else holding a document log (BackgroundSync's own copy)."""

    @property
    def log(self) -> DocumentLog: ...


@dataclass(frozen=True)
class SyncResult:
    sent_bytes: int  # request bodies
    received_bytes: int  # response bodies
    pending: int  # edits still waiting (made here while the sync ran)
    received: bool  # the server had changes this library lacked; they are merged and saved
    round_trips: int
    library: str | None  # the server's id of the library


class SyncClient:
    """Syncs one library with one server. Not thread-safe: use it on the thread that owns the
    library (BackgroundSync does this on its own thread with its own copy)."""

    def __init__(
        self,
        library: HasLog,
        url: str,
        token: str,
        session: requests.Session,
        timeout: tuple[float, float] = (10.0, 120.0),
        *,
        max_answer: int = MAX_ANSWER,
        deadline: float = DEADLINE,
    ) -> None:
        self.library = library
        self.url = check_server_url(url)
        self.token = token
        self.session = session
        self.limits = HttpLimits(max_answer, deadline, *timeout)
        self._sent = self._received = self._trips = 0
        self._library_id: str | None = None

    def pending_edits(self) -> int:
        return pending_edits(self.library.log)

    def sync_once(self) -> SyncResult:
        """Send what the server lacks, merge what it has; raises a SyncError when it cannot."""
        doc_log = self.library.log
        doc_log.refresh()  # edits other processes (the window, the command line) saved
        self._sent = self._received = self._trips = 0
        synced = doc_log.setting(SYNCED_UPTO)
        if synced is None:  # first sync with this server: send everything
            upto = doc_log.applied_upto
            updates = [doc_log.doc.get_update()]
        else:
            rows = [
                r for r in doc_log.local_updates_since(int(synced)) if r[0] <= doc_log.applied_upto
            ]
            upto = rows[-1][0] if rows else int(synced)
            updates = [merge_updates(*(u for _, u in rows))] if rows else []
        lacking, received = self._first_round_trip(updates)
        if lacking is not None and lacks(lacking, doc_log.doc.get_state()):
            # the server lacks something this library has (it was restored from a backup, or an
            # edit was saved here between reading the rows and sending them): send exactly that
            _, more = self._round_trip([doc_log.doc.get_update(lacking)])
            received = received or more
        self._acknowledge(upto)
        return SyncResult(
            sent_bytes=self._sent,
            received_bytes=self._received,
            pending=self.pending_edits(),
            received=received,
            round_trips=self._trips,
            library=self._library_id,
        )

    def _first_round_trip(self, updates: list[bytes]) -> tuple[bytes | None, bool]:
        try:
            return self._round_trip(updates)
        except _Unreadable:
            # the server could not read those rows (damaged on this disk): send what the document
            # itself holds instead, which has only what it could read
            return self._round_trip([])
        except _FromScratch:
            pass
        # the server keeps too many edits waiting for others it never received (it lost some:
        # restored from a backup, say), and these would wait too: send the whole document, which
        # holds everything they wait for, as to a server that has nothing; once
        try:
            return self._round_trip([self.library.log.doc.get_update()])
        except _FromScratch as exc:
            raise SyncServerError(
                f"The sync server at {self.url} refused this library's edits, and again when the "
                f"whole library was sent from scratch ({exc.detail}). Your edits are saved here "
                "and the next sync tries again; if this goes on, tell the server's administrator."
            ) from None

    def _acknowledge(self, upto: int) -> None:
        doc_log = self.library.log
        if SyncSettings.of(doc_log) not in (None, SyncSettings(self.url, self.token)):
            return  # the library was pointed at another server meanwhile: that one starts over
        current = doc_log.setting(SYNCED_UPTO)
        done = max(upto, int(current)) if current is not None else upto
        doc_log.set_settings(
            {SYNCED_UPTO: done, LIBRARY_KEY: self._library_id, LAST_SYNC_KEY: time.time()}
        )

    def _round_trip(self, updates: list[bytes]) -> tuple[bytes | None, bool]:
        """POST state vector + updates; merge the answer. Returns (the server's state vector if
        it lacks something this library has, whether the answer held anything new)."""
        doc_log = self.library.log
        body = encode_request(doc_log.doc.get_state(), [u for u in updates if u != EMPTY_UPDATE])
        response = self._post(body)
        try:
            update, server_state = decode_reply(response.content)
        except ValueError as exc:
            raise SyncServerError(
                f"The sync server at {self.url} answered with something that is not a sync "
                f"reply ({exc}). Is this address a photo-tagger server?"
            ) from exc
        try:
            changed = doc_log.apply_remote(update)
        except LibraryError as exc:
            if not isinstance(exc.__cause__, ValueError):  # this computer's disk, not the server
                raise LibraryError(
                    f"The changes from the sync server at {self.url} could not be saved on this "
                    f"computer ({reason(exc.__cause__ or exc)}): its disk is full or the library "
                    f"folder {doc_log.path.parent} cannot be written. Free some disk space or "
                    "check the folder's permissions, then sync again; nothing is lost."
                ) from exc
            raise SyncServerError(
                f"The sync server at {self.url} sent changes that cannot be read; nothing was "
                "merged. Tell the server's administrator."
            ) from exc
        return server_state, changed

    def _post(self, body: bytes) -> Reply:
        self._trips += 1
        self._sent += len(body)
        try:
            response = exchange(
                self.session,
                "POST",
                self.url + SYNC_PATH,
                self.limits,
                data=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": MEDIA_TYPE,
                    "User-Agent": f"photo-tagger/{__version__}",
                },
            )
        except AnswerLimitError as exc:
            raise SyncOfflineError(
                f"The sync with {self.url} stopped: {exc}. Your edits are saved here and go up "
                "at the next sync; if this goes on, tell the server's administrator."
            ) from exc
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,  # the server went away mid-answer
        ) as exc:
            raise SyncOfflineError(
                f"Cannot reach the sync server at {self.url}: {reason(exc)}. Your edits are "
                "saved here and go up at the next sync."
            ) from exc
        except requests.RequestException as exc:
            raise SyncNotConfiguredError(
                f"Cannot sync with {self.url}: {reason(exc)}. Check the server's address in "
                "Settings › Sync."
            ) from exc
        self._received += len(response.content)
        self._library_id = response.headers.get(LIBRARY_HEADER) or self._library_id
        if response.status_code != 200:
            self._refused(response, len(body))
        return response

    def _refused(self, response: Reply, sent: int) -> NoReturn:
        """Raise the SyncError an answer other than 200 means."""
        status, detail = response.status_code, _detail(response)
        if status in (401, 403):
            raise SyncRefusedError(
                f"The sync server at {self.url} refused this library's token ({detail}). Ask "
                "the server's administrator for a new one (`photo-tagger server add-token`) and "
                "run `photo-tagger sync --server URL --token TOKEN`."
            )
        if status == 400:
            raise _Unreadable(
                f"The sync server at {self.url} could not read the changes sent ({detail})."
            )
        if status == 422:
            raise SyncRefusedError(
                f"The sync server at {self.url} refused this device's changes. "
                f"{_detail(response, 800)}. Nothing was exchanged; your edits are kept on this "
                "device. Run `photo-tagger check` to list the malformed records here and "
                "`photo-tagger check --repair` to set them aside, then sync again."
            )
        if status == 409:
            raise _FromScratch(
                f"The sync server at {self.url} refused this library's edits ({detail}). Your "
                "edits are saved here; the next sync sends the whole library.",
                detail,
            )
        if status == 413:
            raise SyncServerError(
                f"The sync server at {self.url} refused a sync of {sent / 1e6:.1f} MB as too "
                "large. Ask its administrator to raise `photo-tagger serve --max-body-mb`."
            )
        if status == 404:
            raise SyncServerError(
                f"There is no photo-tagger sync server at {self.url} (it answered 404). Check "
                "the address."
            )
        raise SyncServerError(
            f"The sync server at {self.url} had a problem: {http_reason(status)}. Your edits are "
            "saved here; the next sync tries again."
        )


class _Unreadable(SyncServerError):
    """The server answered 400: it could not read what was sent."""


class _FromScratch(SyncServerError):
    """The server answered 409: it keeps too many edits waiting for others it never received,
    and the device must send its whole document."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def _detail(response: Reply, limit: int = 300) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail or response.reason or response.status_code)[:limit].rstrip(".")
