"""The library's tokens in the system keyring where there is one, in its 0600 secrets file where
there is none or it fails. The keyrings here are real backends (keyrings.alt's plaintext file,
kept in the test's own folder), never the user's."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError, PasswordSetError
from keyrings.alt.file import PlaintextKeyring

from photo_tagger.cli.main import main
from photo_tagger.cloud.escalation_settings import EscalationSettings
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.keyring_secrets import KEYRING_ENV, SERVICE
from photo_tagger.store.library import Library
from photo_tagger.store.log_file import KEYRING_ID
from photo_tagger.store.paths import DOCUMENT_FILE
from photo_tagger.store.secrets import SECRETS_FILE
from tests.harness import ThreadServer, add_library

SYNC_TOKEN = "pt_0123456789abcdef-the-sync-token"
CLOUD_TOKEN = "pt_fedcba9876543210-the-cloud-token"
SERVER = "http://127.0.0.1:9"

UseKeyring = Callable[[KeyringBackend], KeyringBackend]


class RefusingKeyring(PlaintextKeyring):
    """A keyring that will not take a password (as a locked one answers)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring is locked")


class ForgetfulKeyring(PlaintextKeyring):
    """A keyring that takes a password without complaint and keeps nothing."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


class UndeletingKeyring(PlaintextKeyring):
    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("the keyring is locked")


class UnreadableKeyring(PlaintextKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the keyring is locked")


def in_folder(backend: PlaintextKeyring, folder: Path) -> PlaintextKeyring:
    backend.file_path = str(folder / "keyring_pass.cfg")
    return backend


@pytest.fixture
def use_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[UseKeyring]:
    """Turns the keyring on, with the backend given; the suite's own comes back after."""
    before = keyring.get_keyring()
    monkeypatch.setenv(KEYRING_ENV, "any")  # the backends here are keyrings.alt's files

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(before)


@pytest.fixture
def system(tmp_path: Path, use_keyring: UseKeyring) -> PlaintextKeyring:
    backend = in_folder(PlaintextKeyring(), tmp_path / "keyring")
    use_keyring(backend)
    return backend


def keyring_id(folder: Path) -> str:
    conn = sqlite3.connect(folder / DOCUMENT_FILE)
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (KEYRING_ID,)).fetchone()
    conn.close()
    return str(row[0])


def store_tokens(folder: Path) -> None:
    with Library.open(folder) as lib:
        sync.remember(lib.log, SERVER, SYNC_TOKEN)
        EscalationSettings(enabled=True, endpoints=(SERVER,), token=CLOUD_TOKEN).save(lib.log)


def tokens(folder: Path) -> tuple[str | None, str]:
    with Library.open(folder) as lib:
        remembered = sync.SyncSettings.of(lib.log)
        return (remembered.token if remembered else None), EscalationSettings.of(lib.log).token


def file_mode(folder: Path) -> int:
    return stat.S_IMODE((folder / SECRETS_FILE).stat().st_mode)


def test_tokens_go_into_the_keyring_and_follow_the_folder(
    tmp_path: Path, system: PlaintextKeyring
) -> None:
    folder = tmp_path / "lib"
    store_tokens(folder)
    assert not (folder / SECRETS_FILE).exists()
    library = keyring_id(folder)
    assert system.get_password(SERVICE, f"{library}:sync.token") == SYNC_TOKEN
    assert system.get_password(SERVICE, f"{library}:escalation.token") == CLOUD_TOKEN
    assert SYNC_TOKEN.encode() not in (folder / DOCUMENT_FILE).read_bytes()

    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    shutil.move(folder, moved)
    assert tokens(moved) == (SYNC_TOKEN, CLOUD_TOKEN)
    with Library.open(moved) as lib:
        sync.forget(lib.log)
    assert system.get_password(SERVICE, f"{library}:sync.token") is None
    assert tokens(moved) == (None, CLOUD_TOKEN)
    assert not (moved / SECRETS_FILE).exists()


def test_tokens_in_the_file_move_into_the_keyring_when_the_library_opens(
    tmp_path: Path, use_keyring: UseKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lib"
    monkeypatch.setenv(KEYRING_ENV, "off")  # as a version without the keyring kept them
    store_tokens(folder)
    assert file_mode(folder) == 0o600
    monkeypatch.setenv(KEYRING_ENV, "any")
    backend = use_keyring(in_folder(PlaintextKeyring(), tmp_path / "keyring"))
    with Library.open(folder):
        pass
    assert not (folder / SECRETS_FILE).exists()
    library = keyring_id(folder)
    assert backend.get_password(SERVICE, f"{library}:sync.token") == SYNC_TOKEN
    assert backend.get_password(SERVICE, f"{library}:escalation.token") == CLOUD_TOKEN
    assert tokens(folder) == (SYNC_TOKEN, CLOUD_TOKEN)


def test_a_token_leaves_the_file_only_once_the_keyring_gives_it_back(
    tmp_path: Path, use_keyring: UseKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lib"
    monkeypatch.setenv(KEYRING_ENV, "off")
    store_tokens(folder)
    monkeypatch.delenv(KEYRING_ENV)
    use_keyring(in_folder(ForgetfulKeyring(), tmp_path / "keyring"))
    assert tokens(folder) == (SYNC_TOKEN, CLOUD_TOKEN)
    assert file_mode(folder) == 0o600
    assert SYNC_TOKEN in (folder / SECRETS_FILE).read_text()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["none", "null"])
def test_without_a_keyring_the_file_keeps_the_tokens(
    tmp_path: Path, use_keyring: UseKeyring, backend: KeyringBackend
) -> None:
    use_keyring(backend)  # what `keyring` chooses on headless Linux and in CI: fail.Keyring
    folder = tmp_path / "lib"
    store_tokens(folder)
    assert file_mode(folder) == 0o600
    assert tokens(folder) == (SYNC_TOKEN, CLOUD_TOKEN)
    conn = sqlite3.connect(folder / DOCUMENT_FILE)
    assert conn.execute("SELECT * FROM settings WHERE key = ?", (KEYRING_ID,)).fetchone() is None
    conn.close()


def test_a_keyring_that_refuses_leaves_the_token_in_the_file(
    tmp_path: Path,
    storage: Storage,
    server: ThreadServer,
    use_keyring: UseKeyring,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_keyring(in_folder(RefusingKeyring(), tmp_path / "keyring"))
    _, token = add_library(storage, "Family")
    folder = tmp_path / "lib"
    with caplog.at_level(logging.WARNING):
        code = main(["sync", "--library", str(folder), "--server", server.url, "--token", token])
    out, err = capsys.readouterr()
    assert code == 0 and f"Synced with {server.url}" in out
    assert "Traceback" not in out + err
    assert "The system keyring could not be used (the keyring is locked)" in caplog.text
    assert file_mode(folder) == 0o600 and token in (folder / SECRETS_FILE).read_text()
    assert tokens(folder)[0] == token  # opening tried to move it in, and was refused again
    assert token in (folder / SECRETS_FILE).read_text()

    working = use_keyring(in_folder(PlaintextKeyring(), tmp_path / "keyring"))
    assert tokens(folder)[0] == token  # opening moved it into the keyring that now works
    assert not (folder / SECRETS_FILE).exists()
    assert working.get_password(SERVICE, f"{keyring_id(folder)}:sync.token") == token


def test_a_removal_the_keyring_refuses_still_forgets_the_token(
    tmp_path: Path, use_keyring: UseKeyring
) -> None:
    place = tmp_path / "keyring"
    use_keyring(in_folder(PlaintextKeyring(), place))
    folder = tmp_path / "lib"
    store_tokens(folder)
    use_keyring(in_folder(UndeletingKeyring(), place))
    with Library.open(folder) as lib:
        sync.forget(lib.log)
        assert sync.SyncSettings.of(lib.log) is None
    assert tokens(folder) == (None, CLOUD_TOKEN)

    working = use_keyring(in_folder(PlaintextKeyring(), place))
    assert tokens(folder) == (None, CLOUD_TOKEN)  # and the keyring let go of it this time
    assert working.get_password(SERVICE, f"{keyring_id(folder)}:sync.token") is None
    assert not (folder / SECRETS_FILE).exists()


def test_a_keyring_that_cannot_be_read_asks_for_the_token_again(
    tmp_path: Path, use_keyring: UseKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    place = tmp_path / "keyring"
    use_keyring(in_folder(PlaintextKeyring(), place))
    folder = tmp_path / "lib"
    store_tokens(folder)
    use_keyring(in_folder(UnreadableKeyring(), place))
    with caplog.at_level(logging.WARNING):
        assert tokens(folder) == (None, "")  # as a library not linked yet: no crash
    assert "could not be read (the keyring is locked)" in caplog.text


def test_keyring_off_keeps_the_tokens_in_the_file(
    tmp_path: Path, system: PlaintextKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEYRING_ENV, "off")
    folder = tmp_path / "lib"
    store_tokens(folder)
    assert file_mode(folder) == 0o600
    assert tokens(folder) == (SYNC_TOKEN, CLOUD_TOKEN)
    assert not Path(system.file_path).exists()


def test_a_file_keyring_is_no_system_keyring(
    tmp_path: Path, system: PlaintextKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyrings.alt's keyrings (what `keyring` picks where it is installed and no system keyring
    answers) are files beside the user's others: the library's own 0600 file is as safe."""
    monkeypatch.delenv(KEYRING_ENV)
    folder = tmp_path / "lib"
    store_tokens(folder)
    assert file_mode(folder) == 0o600
    assert tokens(folder) == (SYNC_TOKEN, CLOUD_TOKEN)
    assert not Path(system.file_path).exists()
