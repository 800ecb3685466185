"""The object detector in the pipeline: what it finds becomes tags of the photo vocabulary (a tie on
a suit, a motorcycle), counted and boxed in the full-size photo's pixels; a drawn picture gets
none; a model release without the detector still analyses photos; a scan leaves it to the closer
look after it (real models, real photos)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.picture import GRAPHICS_TAG
from photo_tagger.vision.pipeline import Analyzer, Models, PhotoAnalysis

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "tests" / "data" / "photos"
PICTURES = REPO / "benchmarks" / "accuracy" / "photos"


@pytest.fixture(scope="module")
def models() -> Models:
    return Models.load(default_models_dir())


def analyse(models: Models, path: Path, scale: int = 1, objects: bool = True) -> PhotoAnalysis:
    im = Image.open(path).convert("RGB")
    full = im.size
    if scale > 1:
        im = im.resize((im.width // scale, im.height // scale), Image.Resampling.LANCZOS)
    return Analyzer(models, objects).analyze(np.asarray(im), *full)


def test_the_detector_is_part_of_the_models_and_their_signature(models: Models) -> None:
    assert models.objects is not None
    assert models.ids["object_detector"] == "nanodet-g-416-coco@1"
    assert "object_detector=nanodet-g-416-coco@1" in models.signature


def test_a_tie_the_classifier_misses_is_tagged_from_the_detector(models: Models) -> None:
    without = dataclasses.replace(models, objects=None)
    for name in ("biden.jpg", "obama3.jpg"):
        a = analyse(models, PHOTOS / name)
        tie = max(o.score for o in a.objects if o.label == "tie")
        assert tie >= 0.5
        assert a.tags["Clothing/Tie"] == tie  # the best tie found
        assert analyse(without, PHOTOS / name).tags["Clothing/Tie"] < 0.3  # the classifier's
        assert a.tags["Clothing/Tie"] >= models.vocabulary.threshold("Clothing/Tie")


def test_an_object_tag_keeps_the_better_of_the_two_models_scores(models: Models) -> None:
    a = analyse(models, PHOTOS / "motorcycle.jpg")
    assert [o.label for o in a.objects] == ["motorcycle"]
    classifier = analyse(dataclasses.replace(models, objects=None), PHOTOS / "motorcycle.jpg")
    assert a.tags["Vehicles/Motorcycle"] == max(
        a.objects[0].score, classifier.tags["Vehicles/Motorcycle"]
    )


def test_people_are_counted_and_boxed_in_the_full_size_photo(models: Models) -> None:
    full = analyse(models, PHOTOS / "group.jpg")
    half = analyse(models, PHOTOS / "group.jpg", scale=2)  # decoded at half size
    persons = [o for o in full.objects if o.label == "person"]
    assert len(persons) >= 3  # the clearest of the seven people, each at 0.6 or more
    assert all(o.score >= 0.6 for o in persons)
    assert "cup" not in [o.label for o in full.objects]  # 0.55: under its class's 0.6
    for o in half.objects:
        x0, y0, x1, y1 = o.box
        assert 0 <= x0 < x1 <= full.width and 0 <= y0 < y1 <= full.height
    big = max(persons, key=lambda o: o.score)
    match = max(half.objects, key=lambda o: overlap(o.box, big.box))
    assert overlap(match.box, big.box) >= 0.8


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


def test_a_drawn_picture_gets_no_object_tags(models: Models) -> None:
    path = PICTURES / "horse_silhouette.png"
    assert models.objects is not None
    seen = models.objects.detect(np.asarray(Image.open(path).convert("RGB")))
    assert "horse" in [o.label for o in seen]  # the detector alone sees a horse in it
    a = analyse(models, path)
    assert a.objects == []
    assert list(a.tags) == [GRAPHICS_TAG]


def test_models_without_an_object_detector_still_analyse(models: Models) -> None:
    without = dataclasses.replace(models, objects=None)
    a = analyse(without, PHOTOS / "chelsea.jpg")
    assert a.objects == [] and a.tags["Animals/Cat"] >= 0.9


def test_a_scan_leaves_the_detector_to_the_closer_look(models: Models) -> None:
    # a face, a sure classifier ("Vehicles/Motorcycle" 0.89), neither (the rocket): the same
    for name in ("biden.jpg", "motorcycle.jpg", "rocket.jpg"):
        scanned = analyse(models, PHOTOS / name, objects=False)
        assert scanned.objects == [] and scanned.objects_later, name
    looked = analyse(models, PHOTOS / "motorcycle.jpg")
    assert [o.label for o in looked.objects] == ["motorcycle"] and not looked.objects_later
    # nothing to look for in a drawn picture, nor without a detector
    assert not analyse(models, PICTURES / "chart_bars.png", objects=False).objects_later
    without = dataclasses.replace(models, objects=None)
    assert not analyse(without, PHOTOS / "rocket.jpg", objects=False).objects_later
