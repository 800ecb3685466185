"""`photo-tagger rate` and ratings in `photo-tagger search`, end to end on a real library; and
ratings going out to XMP sidecars with `export --xmp`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from photo_tagger.cli.main import main
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.metadata.conftest import dump
from tests.search_samples import build


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("marks"), Models.load(default_models_dir()))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def photo(library: Path, name: str) -> str:
    return str(library.parent / "photos" / name)


def names(lines: list[str]) -> list[str]:
    return sorted(os.path.basename(p) for p in lines)


def test_rate_favourite_reject_then_search_and_export(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = ("--library", str(library))
    chelsea, coffee, obama = (photo(library, f"{n}.jpg") for n in ("chelsea", "coffee", "obama"))
    code, lines, _ = run(capsys, "rate", chelsea, coffee, "4", "--favourite", *lib)
    assert code == 0 and lines == [
        f"{chelsea}: 4 stars, favourite",
        f"{coffee}: 4 stars, favourite",
    ]
    run(capsys, "rate", coffee, "2", "--no-favourite", *lib)
    run(capsys, "rate", obama, "--reject", *lib)
    code, lines, _ = run(capsys, "rate", obama, coffee, *lib)  # no change asked: say how they are
    assert lines == [f"{obama}: rejected", f"{coffee}: 2 stars"]

    code, lines, err = run(capsys, "search", "rating:>=4", *lib)
    assert (code, names(lines)) == (0, ["chelsea.jpg"]), err
    assert err == "1 photo matches “rating:>=4” in the whole library.\n"
    _, lines, _ = run(capsys, "search", "rating:>=2", *lib)
    assert names(lines) == ["chelsea.jpg", "coffee.jpg"]
    _, lines, _ = run(capsys, "search", "is:favourite", "cat", *lib)
    assert names(lines) == ["chelsea.jpg"]
    _, lines, _ = run(capsys, "search", "Lisbon", "is:rejected", *lib)
    assert names(lines) == ["obama.jpg"]
    code, lines, _ = run(capsys, "search", "coffee", "is:favourite", *lib)
    assert (code, lines) == (1, [])

    code, lines, _ = run(capsys, "export", *lib)
    marks = {Path(p["paths"][0]).name: p["marks"] for p in json.loads("\n".join(lines))["photos"]}
    assert marks["chelsea.jpg"] == {"rating": 4, "favourite": True}
    assert marks["obama.jpg"] == {"rejected": True} and marks["obama2.jpg"] == {}
    assert main(["export", "--xmp", *lib]) == 0
    capsys.readouterr()
    (chelsea_xmp, obama_xmp) = dump(Path(chelsea + ".xmp"), Path(obama + ".xmp"))
    assert chelsea_xmp["XMP-xmp:Rating"] == 4 and chelsea_xmp["XMP-digiKam:PickLabel"] == 3
    assert obama_xmp["XMP-xmp:Rating"] == -1 and obama_xmp["XMP-digiKam:PickLabel"] == 1


def test_a_rating_out_of_range_is_refused_in_words(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = run(
        capsys, "rate", photo(library, "coffee.jpg"), "7", "--library", str(library)
    )
    assert (code, lines) == (2, [])
    assert "A rating is 0 to 5 stars, not 7." in err
