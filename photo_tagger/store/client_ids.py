"""Which client id this computer writes a library's shared document under.

Every item of a Yjs document is named by (client id, clock), and the state vector sent with every
sync lists each client id that ever wrote, with its clock. A process that wrote under a new id each
time it opened the library would grow that list by ~9 bytes a session, forever (10 KB after 1,000
sessions). So this computer keeps a few ids per library and writes under one of them again, but
only where that is safe: two writers under one id, or a writer that goes on from a clock its
earlier edits already used, make clashing (client, clock) pairs, and wherever both arrive one
side's edits are silently dropped.

Each id lives in a slot: a small file of this user's state folder (paths.default_state_dir), one
folder per library path, locked (an OS file lock, and a lock within the process) for as long as a
document uses it. A second process on the same library, or a second copy of it in one process
(the window's background work), takes the next free slot, hence another id. An id is written under
again only when:
- the process that used it last closed the library (one that stopped without closing left its
  slot marked in use);
- the library's document file is the same file, on the same computer, as when the id was recorded
  (a folder copied, here or to another computer, with this state folder or without, is another
  file);
- the document, its log replayed, holds exactly the clock recorded for the id at that close:
  fewer means the folder was rolled back (a backup restored in place) while the lost edits may
  have reached other devices; more means something else wrote under it.
Otherwise the document takes a new random id (pycrdt's choice, never one the document has seen),
recorded for next time. Where these facts do not hold still (a state folder that cannot be
written, a computer whose name follows the network it is on, a library on a drive whose file
system has no lasting file numbers, such as FAT), each opening takes a new id, as if none were
kept: the state vector grows, nothing is lost.

The slots live outside the library folder, so that restoring the folder from a backup does not
roll them back with it. What this cannot see: the library folder and the state folder rolled back
together to the same older state (a whole-disk image or virtual machine snapshot restored, with
the document file keeping its identity) after edits made since had been synced: the id then goes
on from a clock other devices have already seen. After such a restore, remove the state folder's
`client-ids` before opening the library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from pycrdt import Doc

from photo_tagger.store.wire import decode_state_vector

__all__ = ["SLOTS", "ClientIds", "Lease", "clock_of"]

log = logging.getLogger(__name__)

SLOTS = 16  # ids kept per library: more documents open at once than this take throwaway ids
MAX_RECORD = 4096  # bytes read of a slot file
MAX_CLIENT = 1 << 53  # pycrdt's client ids fit in 53 bits

_held: set[str] = set()  # slot files this process holds (an OS lock may not tell, e.g. on NFS)
_held_lock = threading.Lock()


def clock_of(doc: Doc, client: int) -> int:
    """How many items of `client` the document holds."""
    return decode_state_vector(doc.get_state()).get(client, 0)


@dataclass(frozen=True)
class Record:
    """What a slot remembers: the id, its clock when last closed (None while in use, or if the
    process using it stopped without closing), on which computer, for which document file."""

    client: int
    clock: int | None
    host: str
    file: tuple[int, int]  # (device, inode) of the document file
    library: str = ""  # the document file's path, for a person reading the folder

    @classmethod
    def parse(cls, data: bytes) -> Record | None:
        """The record, or None for anything else (an empty or torn file, or a bad value)."""
        try:
            value = json.loads(data)
            client, clock, host = value["client"], value["clock"], value["host"]
            dev, ino = value["file"]
        except (ValueError, TypeError, KeyError):
            return None
        ints = [client, dev, ino] + ([] if clock is None else [clock])
        if not all(type(v) is int and v >= 0 for v in ints) or not isinstance(host, str):
            return None
        if not 0 < client < MAX_CLIENT:
            return None
        return cls(client, clock, host, (dev, ino), str(value.get("library", ""))[:4096])


class Lease:
    """A slot held by this process (or none: then every document gets a new id). Build the
    document with `doc()`, replay its log, then `settle(doc)`; `release(doc)` when done."""

    def __init__(self, document_path: Path, fd: int | None = None, slot: str = "") -> None:
        self.document_path = document_path
        self._fd = fd
        self._slot = slot
        self._record = _read(fd) if fd is not None else None
        self._file: tuple[int, int] | None = None
        self._candidate = self._reusable()

    def _reusable(self) -> int | None:
        """The recorded id, if it was closed cleanly on this computer for this very file."""
        record = self._record
        if record is None or record.clock is None or record.host != socket.gethostname():
            return None
        return record.client if record.file == _identity(self.document_path) else None

    def doc(self) -> Doc:
        """A document to replay the log into: under the recorded id if it may be reusable."""
        return Doc(client_id=self._candidate) if self._candidate is not None else Doc()

    def settle(self, doc: Doc) -> bool:
        """After the log is replayed into `doc`: whether it may write under its id, which the slot
        then marks in use. False: replay the log into a new `doc()` (a new id) and ask again."""
        reused = doc.client_id == self._candidate
        expected = self._record.clock if reused and self._record is not None else 0
        if clock_of(doc, doc.client_id) != expected:
            self._candidate = None
            return False
        if self._fd is None:
            return True
        self._file = _identity(self.document_path)
        if self._file is None or not self._write(Record(doc.client_id, None, *self._ids())):
            self._candidate = None  # the mark did not stick: never go on under a recorded id
            return not reused
        return True

    def release(self, doc: Doc | None) -> None:
        """Record `doc`'s clock under its id for the next opening (None: leave the slot as it
        was, for a document that never opened) and let go of the slot."""
        if self._fd is None:
            return
        try:
            if doc is not None and self._file is not None:
                clock = clock_of(doc, doc.client_id)
                self._write(Record(doc.client_id, clock, *self._ids()))
        finally:
            os.close(self._fd)
            self._fd = None
            with _held_lock:
                _held.discard(self._slot)

    def _ids(self) -> tuple[str, tuple[int, int], str]:
        assert self._file is not None
        return socket.gethostname(), self._file, str(self.document_path)

    def _write(self, record: Record) -> bool:
        """Rewrite the slot file in place and flush it to disk; a torn write reads as no record."""
        assert self._fd is not None
        data = json.dumps(asdict(record)).encode()
        try:
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.ftruncate(self._fd, 0)
            os.write(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            log.warning("Could not note the library's client id in %s: %s", self._slot, exc)
            return False
        return True


class ClientIds:
    """The slots of every library, in `state_dir` (paths.default_state_dir())."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)

    def folder(self, document_path: Path) -> Path:
        """Where the slots of the library whose document file is `document_path` are."""
        key = hashlib.sha256(os.fsencode(os.path.realpath(document_path))).hexdigest()[:32]
        return self.state_dir / "client-ids" / key

    def take(self, document_path: Path) -> Lease:
        """The first slot of the library that no one holds, held until `release`."""
        folder = self.folder(document_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning(
                "Cannot keep this computer's client ids for %s in %s (%s): each opening writes "
                "under a new one, which makes every sync a few bytes larger.",
                document_path.parent,
                folder,
                exc.strerror,
            )
            return Lease(document_path)
        for n in range(SLOTS):
            slot = str(folder / f"slot-{n}")
            with _held_lock:
                if slot in _held:
                    continue
                fd = _lock(slot)
                if fd is not None:
                    _held.add(slot)
                    return Lease(document_path, fd, slot)
        return Lease(document_path)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _read(fd: int) -> Record | None:
    try:
        data = os.read(fd, MAX_RECORD + 1)
    except OSError:
        return None
    return Record.parse(data) if len(data) <= MAX_RECORD else None


def _lock(slot: str) -> int | None:
    """An open descriptor of `slot` holding its exclusive lock, or None if another holds it (or
    it cannot be opened)."""
    try:
        fd = os.open(slot, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    except OSError:
        return None
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd
