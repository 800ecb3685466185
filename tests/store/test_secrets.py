"""The library's tokens live in a file only the user can read, never in its databases."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from photo_tagger.cloud.escalation_settings import EscalationSettings
from photo_tagger.store import sync
from photo_tagger.store.library import Library
from photo_tagger.store.paths import DOCUMENT_FILE
from photo_tagger.store.secrets import SECRETS_FILE

TOKEN = "pt_0123456789abcdef-a-secret-token"


def database_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith(DOCUMENT_FILE))


def test_a_token_is_kept_readable_by_the_user_alone(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        sync.remember(lib.log, "http://127.0.0.1:9", TOKEN)
        EscalationSettings(enabled=True, endpoints=("http://127.0.0.1:9",), token=TOKEN).save(
            lib.log
        )
    secrets = folder / SECRETS_FILE
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert TOKEN.encode() not in database_bytes(folder)
    with Library.open(folder) as lib:
        remembered = sync.SyncSettings.of(lib.log)
        assert remembered is not None and remembered.token == TOKEN
        assert EscalationSettings.of(lib.log).token == TOKEN
        sync.forget(lib.log)
        assert sync.SyncSettings.of(lib.log) is None
    with Library.open(folder) as lib:
        assert EscalationSettings.of(lib.log).token == TOKEN  # forgetting the server keeps it


def test_a_token_an_earlier_version_stored_moves_out_of_the_database(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    with Library.open(folder):
        pass
    conn = sqlite3.connect(folder / DOCUMENT_FILE)  # as an earlier version wrote it
    with conn:
        conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)",
            [("sync.server", "http://127.0.0.1:9"), ("sync.token", TOKEN)],
        )
    conn.close()
    with Library.open(folder) as lib:
        remembered = sync.SyncSettings.of(lib.log)
        assert remembered is not None and remembered.token == TOKEN
    rows = sqlite3.connect(folder / DOCUMENT_FILE).execute("SELECT key FROM settings").fetchall()
    assert ("sync.token",) not in rows
    assert stat.S_IMODE((folder / SECRETS_FILE).stat().st_mode) == 0o600


def test_a_damaged_secrets_file_asks_for_the_token_again(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        sync.remember(lib.log, "http://127.0.0.1:9", TOKEN)
    (folder / SECRETS_FILE).write_bytes(b"\x00not json" * 10_000)
    with Library.open(folder) as lib:
        assert sync.SyncSettings.of(lib.log) is None  # as a library never linked: no crash
