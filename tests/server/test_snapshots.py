"""Dated snapshots on the server, and `photo-tagger server restore`: a library that a device with
a valid token wiped (and every device synced the wipe) is set back, as a new edit every device
receives; snapshots follow the interval and the retention. On SQLite and PostgreSQL, with the
real server on 127.0.0.1 and real sync clients; the server's clock is the test's."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pycrdt import Map

from photo_tagger.server.snapshots import DAY, SnapshotPolicy, when
from photo_tagger.server.storage import Storage, open_storage
from photo_tagger.store import sync
from photo_tagger.store.doc_layout import ROOTS
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library
from tests.harness import ThreadServer, add_library, sqlite_storage
from tests.server.test_commands import run
from tests.store.conftest import face
from tests.store.test_sync import everything

PHOTOS = [f"{i:032x}" for i in range(1, 6)]
HOUR = 3600.0


class Clock:
    """The server's time, moved on by the test (it starts well before the real time, which the
    `server restore` command dates its own snapshot with)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, hours: float) -> float:
        self.now += hours * HOUR
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Storage, list[str]]]:
    """The server's database, and the options that name it on the command line."""
    if request.param == "sqlite":
        folder = tmp_path / "server"
        storage, options = sqlite_storage(folder), ["--data", str(folder)]
    else:
        url = request.getfixturevalue("postgres").create_database(f"t_{uuid.uuid4().hex[:12]}")
        storage, options = open_storage(None, url), ["--database", url]
    yield storage, options
    storage.close()


def fill(doc: LibraryDocument) -> None:
    """Something in every root: tags from both sources, the user's tags, faces, people."""
    with doc.batch():
        for i, photo in enumerate(PHOTOS):
            doc.set_auto_tags(photo, {"Animals/Cat": 0.8, "Places/Beach": 0.3}, "local", "t@1")
            doc.set_faces(photo, "detector@1", [face(0, 0, 10, 10), face(50, 0, 60, 10)])
            doc.set_user_tag(photo, f"Holidays/Trip {i}", True)
        doc.set_auto_tags(PHOTOS[0], {"Animals/Dog": 0.9}, "cloud", "cloud@1")
        doc.set_user_tag(PHOTOS[1], "Animals/Cat", False)
    ann, bob = doc.new_person("Ann"), doc.new_person("Bob")
    doc.confirm_person(PHOTOS[0], 0, ann)
    doc.suggest_person(PHOTOS[1], 1, bob)
    doc.reject_person(PHOTOS[1], 1, ann)


def wipe(library: Library) -> None:
    """A valid edit nobody wanted, made on a device as its own (so it syncs): every record
    removed, a person renamed rather than removed, a user tag flipped, one added."""
    doc = library.log.doc
    roots = {name: doc.get(name, type=Map) for name in ROOTS}
    ann = next(p["id"] for p in library.document.people() if p["name"] == "Ann")
    with doc.transaction():
        for name, root in roots.items():
            for key in list(root.keys()):
                if key == ann:
                    root[key]["name"] = "Nobody"
                elif not (name == "user" and key.startswith(PHOTOS[2])):
                    del root[key]
        roots["user"][f"{PHOTOS[2]}|Holidays/Trip 2"] = False
        roots["user"][f"{PHOTOS[3]}|Junk"] = True


def raw(library: Library) -> dict[str, Any]:
    return {name: library.log.doc.get(name, type=Map).to_py() for name in ROOTS}


def test_an_administrator_sets_back_a_library_that_a_device_wiped(
    database: tuple[Storage, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage, options = database
    token = add_library(storage, "Family")[1]
    add_library(storage, "Other")  # another library, which the restore leaves alone
    clock = Clock()
    with (
        ThreadServer(storage, clock=clock) as server,
        Library.open(tmp_path / "a") as a,
        Library.open(tmp_path / "b") as b,
        requests.Session() as session,
    ):

        def sync_all(*libraries: Library) -> None:
            for lib in libraries:
                sync.SyncClient(lib, server.url, token, session).sync_once()

        fill(a.document)
        sync_all(a, b)
        before, before_raw = everything(a.document), raw(a)
        assert everything(b.document) == before

        clock.advance(25)
        wipe(a)
        sync_all(a, b)
        assert b.document.photo_ids() == [] and b.document.user_tags(PHOTOS[0]) == {}
        assert [p["name"] for p in b.document.people()] == ["Nobody"]
        wiped = raw(b)

        code, out, _ = run(capsys, "server", "snapshots", *options, "--library", "Family")
        assert code == 0, out
        listed = re.findall(r"^ +(\d+)  (\S+Z) +[\d,]+ bytes$", out, re.MULTILINE)
        assert [t for _, t in listed] == [when(clock.now)]  # the library just before the wipe
        [(number, taken)] = listed
        code, out, err = run(
            capsys, "server", "restore", *options, "--library", "Family", "--snapshot", taken
        )
        assert code == 0, err
        assert f"set back to its snapshot {number} ({taken})" in out and "next sync" in out
        [kept] = re.findall(r"kept as snapshot (\d+) ", out)

        sync_all(a, b)  # the server is the one that was running all along
        for lib in (a, b):
            assert everything(lib.document) == before
            assert raw(lib) == before_raw

        # the restore is an edit like any other: a later edit is kept, everywhere
        b.document.set_user_tag(PHOTOS[0], "People/Friends", True)
        a.document.set_user_tag(PHOTOS[4], "Holidays/Trip 4", False)
        sync_all(b, a, b)
        for lib in (a, b):
            assert lib.document.user_tags(PHOTOS[0])["People/Friends"] is True
            assert lib.document.user_tags(PHOTOS[4]) == {"Holidays/Trip 4": False}

        # the library as it was just before the restore was kept: restoring it undoes it
        code, out, _ = run(capsys, "server", "snapshots", *options, "--library", "Family")
        [undo] = re.findall(r"^ +(\d+)  \S+Z .*just before a restore", out, re.MULTILINE)
        assert undo == kept
        code, out, _ = run(
            capsys, "server", "restore", *options, "--library", "Family", "--snapshot", undo
        )
        assert code == 0
        sync_all(a, b)
        for lib in (a, b):
            assert raw(lib) == wiped  # the later edits too: the library reads as it did then
            assert lib.document.photo_ids() == []
        code, out, _ = run(
            capsys, "server", "restore", *options, "--library", "Family", "--snapshot", undo
        )
        assert code == 0 and "already reads as its snapshot" in out and "nothing changed" in out

    code, out, _ = run(capsys, "server", "snapshots", *options, "--library", "Other")
    assert code == 0 and "no snapshots yet" in out


def test_snapshots_follow_the_interval_and_the_retention(
    database: tuple[Storage, list[str]], tmp_path: Path
) -> None:
    storage, _ = database
    library_id, token = add_library(storage, "Family")
    clock = Clock()
    start = clock.now
    policy = SnapshotPolicy(every=DAY, keep=3, keep_days=5)
    edits = 0
    with (
        ThreadServer(storage, snapshots=policy, clock=clock) as server,
        Library.open(tmp_path / "a") as a,
        requests.Session() as session,
    ):

        def edit_and_sync(at_hours: float) -> list[float]:
            """An edit made `at_hours` after the start, synced then: when the library's
            snapshots were taken, in hours after the start."""
            nonlocal edits
            clock.now = start + at_hours * HOUR
            a.document.set_user_tag(PHOTOS[0], f"Tag {edits}", True)
            edits += 1
            sync.SyncClient(a, server.url, token, session).sync_once()
            return [(s.taken - start) / HOUR for s in storage.snapshots(library_id)]

        assert edit_and_sync(0) == []  # the library was empty before: nothing to keep
        assert edit_and_sync(1) == [1]
        for hours in (2, 12, 24.9):  # within a day of the last one
            assert edit_and_sync(hours) == [1]
        assert edit_and_sync(25) == [1, 25]
        clock.now = start + 49.5 * HOUR  # a day later, a sync with nothing new: no snapshot
        sync.SyncClient(a, server.url, token, session).sync_once()
        assert len(storage.snapshots(library_id)) == 2
        assert edit_and_sync(50) == [1, 25, 50]
        assert edit_and_sync(75) == [25, 50, 75]  # the newest 3 are kept

        # each holds the library as it was before the change that was synced when it was taken
        kept = LibraryDocument()
        [_, at_50, _] = storage.snapshots(library_id)
        kept.apply_update(storage.snapshot_data(library_id, at_50.id) or b"")
        assert set(kept.user_tags(PHOTOS[0])) == {f"Tag {i}" for i in range(6)}  # not 50's

        assert edit_and_sync(75 + 6 * 24) == [75 + 6 * 24]  # none older than 5 days is kept
        assert edit_and_sync(76 + 6 * 24) == [75 + 6 * 24]
        # the clock set back (by an administrator): a snapshot then, then one a day again
        assert edit_and_sync(100) == [100, 75 + 6 * 24]
        assert edit_and_sync(110) == [100, 75 + 6 * 24]


def test_unknown_libraries_snapshots_and_settings_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "server")
    code, _, _ = run(capsys, "server", "add-library", "--data", data, "Family")
    assert code == 0
    code, _, err = run(capsys, "server", "snapshots", "--data", data, "--library", "Nope")
    assert code == 2 and "No library 'Nope' on this server" in err
    code, _, err = run(
        capsys, "server", "restore", "--data", data, "--library", "Nope", "--snapshot", "latest"
    )
    assert code == 2 and "No library 'Nope'" in err
    code, out, _ = run(capsys, "server", "snapshots", "--data", data, "--library", "Family")
    assert code == 0 and "no snapshots yet" in out
    for when_ in ("latest", "2024-05-01", "999"):
        code, _, err = run(
            capsys, "server", "restore", "--data", data, "--library", "Family", "--snapshot", when_
        )
        assert code == 2 and f"has no snapshot taken at '{when_}'" in err
        assert "it has no snapshots yet" in err and "server snapshots --library" in err
    code, _, err = run(capsys, "serve", "--data", data, "--keep-snapshots", "0")
    assert code == 2 and "at least one is kept (--keep-snapshots)" in err
