"""What every part of the suite shares: a sync server's database and the real server on
127.0.0.1 (see tests/harness.py), PostgreSQL once per session, a port of the test's own; property
tests that are never timed; and no system keyring: tokens stay in each library's secrets file,
unless a test gives a keyring of its own (tests/store/test_keyring.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import settings
from keyring.backends import null

from photo_tagger.server.storage import Storage
from photo_tagger.store.keyring_secrets import KEYRING_ENV
from photo_tagger.store.paths import STATE_ENV
from tests.harness import HeldPort, Postgres, ThreadServer, postgres_server, sqlite_storage

# Hypothesis fails an example that takes over 200 ms by default: on a crowded machine that is a
# verdict on the machine, not on the code. `make test` tries the same examples on every run, so a
# result says something about the change and not about the draw. `make fuzz` draws fresh examples
# on every run (1,000 a test where the test sets no count of its own); a case it finds that
# breaks a test becomes an @example of that test.
settings.register_profile("photo-tagger", deadline=None, derandomize=True)
settings.register_profile("fuzz", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("PHOTO_TAGGER_HYPOTHESIS", "photo-tagger"))


@pytest.fixture(scope="session", autouse=True)
def no_system_keyring() -> Iterator[None]:
    """The user's keyring is never touched: the keyring is off (for the programs the tests start
    too), and were it asked all the same, the keyring that keeps nothing answers."""
    keyring.set_keyring(null.Keyring())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEYRING_ENV, "off")
        yield


@pytest.fixture(scope="session", autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This computer's state for its libraries (their client ids) in a folder of the test run's
    own, for the commands the tests run too, never in the user's."""
    folder = tmp_path_factory.mktemp("state")
    before = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(STATE_ENV, None)
    else:
        os.environ[STATE_ENV] = before


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    """The sync server's database, in the test's own `server` folder."""
    s = sqlite_storage(tmp_path / "server")
    yield s
    s.close()


@pytest.fixture
def server(tmp_path: Path, storage: Storage) -> Iterator[ThreadServer]:
    """The server on that database (and on the model release in its folder, if published)."""
    with ThreadServer(storage, tmp_path / "server") as srv:
        yield srv


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as pg:
        yield pg


@pytest.fixture
def held_port() -> Iterator[HeldPort]:
    """A loopback port held for the whole test: connections to it are refused, except while a
    server of the test's own (given `port=held_port`) listens on it."""
    with HeldPort() as port:
        yield port
