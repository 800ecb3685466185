"""`photo-tagger search` end to end: real photos with EXIF, real models, a real library."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from photo_tagger.cli.main import main
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.search_samples import NOT_UTF8, build


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("search"), Models.load(default_models_dir()))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_prints_the_paths_of_the_photos_that_match_and_a_count(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = run(capsys, "search", "cat", "--library", str(library))
    assert code == 0
    assert [os.path.basename(p) for p in lines] == ["chelsea.jpg"]  # not scatter-plot.png
    assert os.path.isabs(lines[0]) and Path(lines[0]).is_file()
    assert err == "1 photo matches “cat” in the whole library.\n"

    code, lines, err = run(capsys, "search", "Anna", "Lisbon", "--library", str(library))
    assert (code, [os.path.basename(p) for p in lines]) == (0, ["obama.jpg"])
    code, lines, err = run(capsys, "search", "2024", "--library", str(library))
    assert sorted(os.path.basename(p) for p in lines) == ["chelsea.jpg", "obama.jpg"]
    assert err == "2 photos match “2024” in the whole library.\n"
    code, lines, _ = run(capsys, "search", '"guinea pig"', "--library", str(library))
    assert [os.path.basename(p) for p in lines] == ["chelsea.jpg"]
    code, lines, _ = run(capsys, "search", "SÃO", "paulo", "--library", str(library))
    assert [os.path.basename(p) for p in lines] == ["obama2.jpg"]


def test_nothing_found_exits_1_and_says_what_was_searched(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = run(capsys, "search", "unicorn", "--library", str(library))
    assert (code, lines) == (1, [])
    assert "No photos match “unicorn” in the whole library" in err
    assert "tags, objects, people's names, places, dates and file names" in err


def test_a_missing_library_or_an_empty_query_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = run(capsys, "search", "cat", "--library", str(tmp_path / "none"))
    assert (code, lines) == (2, [])
    assert "There is no library in" in err and "photo-tagger scan" in err
    assert not (tmp_path / "none").exists()  # searching creates nothing
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "document.sqlite3").write_bytes(b"not a database" * 100)
    (broken / "index.sqlite3").write_bytes(b"not a database" * 100)
    code, _, err = run(capsys, "search", "cat", "--library", str(broken))
    assert code == 2 and "Traceback" not in err and err.startswith("photo-tagger: ")
    code, _, err = run(capsys, "search", " - ", "--library", str(broken))
    assert code == 2 and "no word to search for" in err


def test_json_and_names_that_are_not_utf8(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, _ = run(capsys, "search", "9876", "--library", str(library))
    assert code == 0 and len(lines) == 1
    assert lines[0].endswith("Caf\ufffd 9876.jpg")  # as the other commands show such a name
    code = main(["search", "9876", "--json", "--library", str(library)])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["query"] == "9876"
    (photo,) = data["photos"]
    assert os.fsencode(photo["path"]).endswith(b"Caf\xe9 9876.jpg")  # the exact name
    assert os.path.basename(photo["path"]) == NOT_UTF8 and photo["paths"] == [photo["path"]]
    assert len(photo["id"]) >= 32
