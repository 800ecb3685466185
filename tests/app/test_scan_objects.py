"""Objects in a scanned library: stored per photo in the local index, listed by the export, and a
library scanned by models without the object detector analysed again once they have it, keeping
what the user said (real models, real photos, a real library on disk)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from photo_tagger.app.export import library_record
from photo_tagger.app.scan import Importer
from photo_tagger.app.thresholds import models_threshold
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("motorcycle.jpg", "biden.jpg"):
        shutil.copy(PHOTOS / name, photos / name)
    return photos


def models_without_objects(tmp_path: Path) -> Path:
    """The shipped models as a release from before the object detector: its manifest lacks it."""
    older = tmp_path / "models-before"
    shutil.copytree(default_models_dir(), older, ignore=shutil.ignore_patterns("fp32", "work"))
    manifest = json.loads((older / "manifest.json").read_text())
    del manifest["models"]["object_detector"]
    (older / "manifest.json").write_text(json.dumps(manifest))
    return older


def photo_id(library: Library, path: Path) -> str:
    entry = library.index.lookup(str(path))
    assert entry is not None
    return entry[2]


def test_a_library_scanned_before_the_detector_is_analysed_again_and_keeps_user_tags(
    tmp_path: Path, folder: Path
) -> None:
    older = Models.load(models_without_objects(tmp_path))
    assert older.objects is None and "object_detector" not in older.ids
    with Library.open(tmp_path / "lib") as lib:
        assert Importer(lib, older, workers=2).scan([folder]).analysed == 2
        moto, biden = (photo_id(lib, folder / n) for n in ("motorcycle.jpg", "biden.jpg"))
        assert lib.index.objects(moto) == []  # a release without the detector finds none
        assert lib.auto_tags(moto)["Vehicles/Motorcycle"]["score"] >= 0.8  # the classifier's
        lib.document.set_user_tag(moto, "Garage", True)
        lib.document.set_user_tag(biden, "Clothing/Tie", False)  # the user said: no tie

        models = Models.load(default_models_dir())
        importer = Importer(lib, models, workers=2)
        importer.analyzer.with_objects = True  # as the closer look after a scan would
        report = importer.scan([folder])
        assert report.analysed == 2  # other models analysed them: done again
        assert [o["label"] for o in lib.index.objects(moto)] == ["motorcycle"]
        assert lib.auto_tags(biden)["Clothing/Tie"]["score"] >= 0.5  # the detector's tie
        threshold = models_threshold(default_models_dir())
        assert "Clothing/Tie" not in lib.effective_tags(biden, threshold)  # the user said no
        assert lib.effective_tags(moto, threshold)["Garage"] == 1.0

        record = {p["id"]: p for p in library_record(lib, threshold)["photos"]}
        objects = record[biden]["objects"]
        assert [o["label"] for o in objects] == ["person", "tie"]
        person = objects[0]
        assert person["score"] >= 0.6
        x0, y0, x1, y1 = person["box"]  # in the full-size photo's pixels
        assert 0 <= x0 < x1 <= record[biden]["width"] and 0 <= y0 < y1 <= record[biden]["height"]
        assert record[biden]["user"] == {"Clothing/Tie": False}

        again = importer.scan([folder])
        assert again.analysed == 0  # analysed by these models: not redone
