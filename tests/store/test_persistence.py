"""The document log: what was reported done is there after a reopen, a kill -9, a torn row."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from photo_tagger.errors import LibraryError, LibraryVersionError
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import DOCUMENT_FILE, INDEX_FILE, Library
from photo_tagger.store.persistence import DocumentLog
from tests.harness import HANG
from tests.store.conftest import OTHER, PHOTO, face

REPO = Path(__file__).resolve().parents[2]


def fill(doc: LibraryDocument) -> str:
    with doc.batch():
        doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.9}, "local", "tagger@1")
        doc.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10)])
    doc.set_auto_tags(OTHER, {"Food/Coffee": 0.7}, "local", "tagger@1")
    doc.set_user_tag(PHOTO, "Family", True)
    doc.set_user_tag(OTHER, "Food/Coffee", False)
    pid = doc.new_person("Ann")
    doc.confirm_person(PHOTO, 0, pid)
    return pid


def state(doc: LibraryDocument) -> object:
    return (
        sorted(doc.photo_ids()),
        [(doc.auto_tags(p), doc.user_tags(p), doc.faces(p)) for p in sorted(doc.photo_ids())],
        doc.face_people(),
        doc.rejections(),
        doc.people(),
    )


def test_reopen_gives_the_same_document(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib") as lib:
        pid = fill(lib.document)
        before = state(lib.document)
    with Library.open(tmp_path / "lib") as lib:
        assert state(lib.document) == before
        assert lib.document.face_person(PHOTO, 0) == (pid, True)
        assert lib.load_report.corrupt == []
        assert lib.load_report.updates >= 6


CHILD = r"""
import sys
from pathlib import Path
from photo_tagger.store.library import Library

lib = Library.open(Path(sys.argv[1]))
lib.log.compact_rows = 7  # compact often, so that the kill may land in a compaction too
doc = lib.document
i = 0
while True:
    with doc.batch():  # a scan-sized transaction between the edits
        for j in range(20):
            doc.set_auto_tags(f"{i:016x}{j:016x}", {"Animals/Cat": j / 20}, "local", "tagger@1")
    doc.set_user_tag(f"{i:016x}{0:016x}", f"Tag {i}", True)
    print(f"done {i}", flush=True)
    i += 1
"""


def test_every_edit_reported_done_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "lib"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert child.stdout is not None
    reported = []
    try:
        for line in child.stdout:
            reported.append(int(line.split()[1]))
            if len(reported) >= 40:
                break
        else:
            pytest.fail(f"the child stopped early: {child.stderr.read() if child.stderr else ''}")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=HANG)
    assert child.returncode == -signal.SIGKILL
    reported += [int(line.split()[1]) for line in rest.splitlines()]
    with Library.open(path) as lib:
        assert lib.load_report.corrupt == []
        for i in reported:
            photo = f"{i:016x}{0:016x}"
            assert lib.document.user_tags(photo) == {f"Tag {i}": True}, f"edit {i} was lost"
            assert lib.document.has_photo(f"{i:016x}{19:016x}")
        assert lib.document.photo_count() >= 20 * len(reported)


def test_a_torn_last_row_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    path = tmp_path / "lib"
    with Library.open(path) as lib:
        fill(lib.document)
        before = state(lib.document)
        last_update = lib.log.updates_since(0)[-1][1]
    db = sqlite3.connect(path / DOCUMENT_FILE)
    torn = last_update[: len(last_update) // 2]
    flipped = bytes([last_update[0] ^ 0xFF]) + last_update[1:]
    with db:
        db.execute(
            "INSERT INTO doc_log (kind, data, crc, created) VALUES ('update', ?, ?, 0)",
            (torn, zlib.crc32(torn)),
        )
        db.execute(
            "INSERT INTO doc_log (kind, data, crc, created) VALUES ('update', ?, ?, 0)",
            (flipped, zlib.crc32(last_update)),
        )
    bad_ids = [r[0] for r in db.execute("SELECT id FROM doc_log ORDER BY id DESC LIMIT 2")]
    db.close()
    with Library.open(path) as lib:
        report = lib.load_report
        assert sorted(c.id for c in report.corrupt) == sorted(bad_ids)
        assert any("checksum" in c.reason for c in report.corrupt)
        assert len(report.messages()) == 2
        assert state(lib.document) == before
        lib.document.set_user_tag(PHOTO, "Places/Beach", True)  # still writable
        lib.log.compact()  # folds the history, sets the unreadable rows aside
    db = sqlite3.connect(path / DOCUMENT_FILE)
    quarantined = sorted(r[0] for r in db.execute("SELECT id FROM doc_quarantine"))
    db.close()
    assert quarantined == sorted(bad_ids)
    with Library.open(path) as lib:
        assert lib.load_report.corrupt == []
        assert lib.document.user_tags(PHOTO) == {"Family": True, "Places/Beach": True}


def test_compaction_keeps_the_state_and_bounds_the_log(tmp_path: Path) -> None:
    path = tmp_path / DOCUMENT_FILE
    log = DocumentLog.open(path, compact_rows=5)
    doc = LibraryDocument(log.doc, after_commit=log.maybe_compact)
    fill(doc)
    for i in range(30):
        doc.set_user_tag(PHOTO, f"Tag {i}", i % 2 == 0)
    before = state(doc)
    stats = log.stats()
    assert stats["rows"] <= 7  # a snapshot and at most compact_rows + 1 updates
    since_start = log.updates_since(0)
    doc.close()
    log.close(compact=False)
    reopened = DocumentLog.open(path)
    assert reopened.report.snapshot_id is not None
    assert state(LibraryDocument(reopened.doc)) == before
    reopened.close()
    # what a sync client that never synced gets after compaction: still the whole document
    replica = LibraryDocument()
    for _, update in since_start:
        replica.apply_update(update)
    assert state(replica) == before


def test_remote_updates_are_logged_and_bad_ones_refused(tmp_path: Path) -> None:
    other = LibraryDocument()
    other.set_user_tag(PHOTO, "Places/Beach", True)
    with Library.open(tmp_path / "lib") as lib:
        rows = lib.log.last_row_id()
        with pytest.raises(LibraryError):
            lib.log.apply_remote(b"\x01\x02garbage")
        assert lib.log.last_row_id() == rows
        lib.log.apply_remote(other.encode_state_as_update(lib.document.state_vector()))
        assert lib.document.user_tags(PHOTO) == {"Places/Beach": True}  # lookups follow
    with Library.open(tmp_path / "lib") as lib:
        assert lib.document.user_tags(PHOTO) == {"Places/Beach": True}


def test_two_processes_share_a_library_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / DOCUMENT_FILE
    log1, log2 = DocumentLog.open(path), DocumentLog.open(path)
    doc1 = LibraryDocument(log1.doc, after_commit=log1.maybe_compact)
    doc2 = LibraryDocument(log2.doc, after_commit=log2.maybe_compact)
    doc1.set_user_tag(PHOTO, "from one", True)
    assert log2.refresh() == 1
    assert doc2.user_tags(PHOTO) == {"from one": True}
    doc1.set_user_tag(PHOTO, "one again", True)
    doc2.set_user_tag(PHOTO, "from two", True)
    log2.compact()  # must fold in the row doc1 wrote that doc2 had not applied
    doc1.set_user_tag(OTHER, "after", True)
    log1.compact()  # picks up log2's snapshot first
    for log in (log1, log2):
        log.close(compact=False)
    reopened = DocumentLog.open(path)
    doc = LibraryDocument(reopened.doc)
    assert doc.user_tags(PHOTO) == {"from one": True, "one again": True, "from two": True}
    assert doc.user_tags(OTHER) == {"after": True}
    assert reopened.stats()["rows"] == 1
    reopened.close()


def test_a_refused_write_is_an_error_and_is_saved_with_the_next_one(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib") as lib:
        lib.document.set_user_tag(PHOTO, "Family", False)
        lib.log._conn.execute("PRAGMA query_only = ON")  # as if the disk refused the write
        with pytest.raises(LibraryError, match="not saved"):
            lib.document.set_user_tag(PHOTO, "Family", True)  # builds on the first edit
        lib.log._conn.execute("PRAGMA query_only = OFF")  # space was freed
        lib.document.set_user_tag(PHOTO, "Places/Beach", True)
    with Library.open(tmp_path / "lib") as lib:
        assert lib.document.user_tags(PHOTO) == {"Family": True, "Places/Beach": True}


@pytest.mark.parametrize("filename", [DOCUMENT_FILE, INDEX_FILE])
def test_a_library_from_a_newer_version_is_refused_untouched(tmp_path: Path, filename: str) -> None:
    path = tmp_path / "lib"
    with Library.open(path) as lib:
        lib.document.set_user_tag(PHOTO, "Family", True)
    db = sqlite3.connect(path / filename)
    with db:
        db.execute("UPDATE schema_version SET version = 99")
    db.close()
    with pytest.raises(LibraryVersionError, match="newer photo-tagger"):
        Library.open(path)
    db = sqlite3.connect(path / filename)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (99,)
    db.close()
