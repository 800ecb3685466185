"""One server database (and a real server on 127.0.0.1) per test; PostgreSQL once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from photo_tagger.server.storage import Storage
from tests.server.harness import Postgres, ThreadServer, postgres_server, sqlite_storage


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    s = sqlite_storage(tmp_path / "server")
    yield s
    s.close()


@pytest.fixture
def server(storage: Storage) -> Iterator[ThreadServer]:
    with ThreadServer(storage) as srv:
        yield srv


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as pg:
        yield pg
