"""The SQLite base every library database is built on: schema migrations and nested batches,
on real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from photo_tagger.errors import LibraryError, LibraryVersionError
from photo_tagger.store.sqlite import Database, schema_version

steps: list[str] = []


def _v1(conn: sqlite3.Connection) -> None:
    steps.append("v1")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")


def _v2(conn: sqlite3.Connection) -> None:
    steps.append("v2")
    conn.execute("ALTER TABLE notes ADD COLUMN author TEXT")


def _v3_fails(conn: sqlite3.Connection) -> None:
    steps.append("v3")
    conn.execute("CREATE TABLE tags (note INTEGER NOT NULL, tag TEXT NOT NULL)")
    conn.execute("INSERT INTO notes (text) VALUES ('written by the failing step')")
    raise sqlite3.OperationalError("disk I/O error")


class Notes(Database):
    WHAT = "notes"
    SYNCHRONOUS = "FULL"
    MIGRATIONS = (_v1,)

    def add(self, text: str) -> None:
        with self.batch():
            self._conn.execute("INSERT INTO notes (text) VALUES (?)", (text,))

    def texts(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT text FROM notes ORDER BY id")]


class NotesV2(Notes):
    MIGRATIONS = (_v1, _v2)


class NotesV3(Notes):
    MIGRATIONS = (_v1, _v2, _v3_fails)


@pytest.fixture(autouse=True)
def _no_steps_yet() -> None:
    steps.clear()


def version_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return schema_version(conn)
    finally:
        conn.close()


def test_migrations_run_in_order_once_and_keep_the_data(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with Notes.open(path) as notes:
        notes.add("first")
    assert steps == ["v1"] and version_of(path) == 1
    with NotesV2.open(path) as notes:
        assert notes.texts() == ["first"]  # upgraded, never reset
    assert steps == ["v1", "v2"] and version_of(path) == 2
    with NotesV2.open(path):
        pass
    assert steps == ["v1", "v2"]  # an up-to-date file runs nothing
    fresh = tmp_path / "fresh.sqlite3"
    with NotesV2.open(fresh) as notes:
        notes.add("new")
    assert steps[2:] == ["v1", "v2"] and version_of(fresh) == 2


def test_a_failing_migration_rolls_back_to_the_version_before_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with Notes.open(path) as notes:
        notes.add("kept")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        NotesV3.open(path)
    assert version_of(path) == 2  # v2 committed with its bump; v3 left nothing behind
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "tags" not in tables
    with NotesV2.open(path) as notes:
        assert notes.texts() == ["kept"]


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with NotesV2.open(path) as notes:
        notes.add("from the future")
    with pytest.raises(LibraryVersionError, match="newer photo-tagger"):
        Notes.open(path)
    assert version_of(path) == 2
    with NotesV2.open(path) as notes:
        assert notes.texts() == ["from the future"]


def test_nested_batches_commit_once_when_the_outermost_ends(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    notes, other = Notes.open(path), Notes.open(path)
    commits: list[str] = []
    notes._conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    with notes.batch():
        notes.add("one")
        with notes.batch():
            notes.add("two")
            with notes.batch():
                notes.add("three")
        assert other.texts() == []  # nothing committed while the outermost is open
    assert commits == ["COMMIT"]
    assert other.texts() == ["one", "two", "three"]
    notes.close()
    other.close()


def test_an_exception_in_a_nested_batch_rolls_back_the_outer_one(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with Notes.open(path) as notes:
        notes.add("before")
        with pytest.raises(ValueError), notes.batch():
            notes.add("outer")
            with notes.batch():
                notes.add("inner")
                raise ValueError("refused")
        assert notes.texts() == ["before"]
        # caught between the two: the outer batch still saves nothing of it, and says so
        with pytest.raises(LibraryError, match="nothing of the changes"), notes.batch():
            notes.add("outer")
            try:
                with notes.batch():
                    notes.add("inner")
                    raise ValueError("refused")
            except ValueError:
                pass
            notes.add("after")
        assert notes.texts() == ["before"]
        notes.add("later")  # the next batch starts clean
    with Notes.open(path) as notes:
        assert notes.texts() == ["before", "later"]
