"""Failures from outside said in words: what the user reads never holds a library's own text."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
import requests

from photo_tagger.words import count, details, http_reason, reason
from tests.test_cli import run


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (sqlite3.OperationalError("database or disk is full"), "the disk is full"),
        (sqlite3.OperationalError("database is locked"), "another program is using the library"),
        (requests.ConnectTimeout("HTTPConnectionPool(host='x', port=1)"), "did not answer in time"),
        (requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED]"), "certificate"),
        (requests.ConnectionError("Failed to resolve 'x' (Name or service not known)"), "name"),
    ],
)
def test_failures_are_worded(exc: BaseException, words: str) -> None:
    said = reason(exc)
    assert words in said and str(exc) not in said
    assert str(exc) in details(exc)


def test_http_statuses_and_counts_are_worded() -> None:
    assert http_reason(503) == "the server is busy or down for now (HTTP 503)"
    assert http_reason(599).startswith("the server failed")
    assert (count(1, "photo"), count(2, "photo")) == ("1 photo", "2 photos")
    assert count(1, "new person", "new people") == "1 new person"


def test_the_command_line_says_an_unreachable_server_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        *("models", "update", "--library", str(tmp_path / "lib")),
        *("--server", "http://127.0.0.1:9", "--token", "t"),
    )
    assert code == 2
    assert "the connection was refused" in err and "try again later" in err
    assert "HTTPConnectionPool" not in err and "Errno" not in err
