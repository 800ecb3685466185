"""A few photos analysed at once (what a scan's worker does): each model runs on all of them in
turn, and every photo gets what it gets alone; one that a model fails on keeps its error in its
place (real models, real photos)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Analyzer, Models, PhotoAnalysis

NAMES = ("group.jpg", "chelsea.jpg", "obama.jpg", "coffee.jpg")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Models.load(default_models_dir()))


def same(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    faces = [(f.box, f.score, f.eyes, f.embedding.tolist()) for f in a.faces]
    return faces == [(f.box, f.score, f.eyes, f.embedding.tolist()) for f in b.faces] and (
        (a.tags, a.best_score, a.objects, a.objects_later, a.width, a.height)
        == (b.tags, b.best_score, b.objects, b.objects_later, b.width, b.height)
    )


def test_each_photo_gets_what_it_gets_alone(
    analyzer: Analyzer, photo: Callable[[str], np.ndarray]
) -> None:
    images = [(photo(n), photo(n).shape[1] * 2, photo(n).shape[0] * 2) for n in NAMES]
    together = analyzer.analyze_group(images)
    alone = [analyzer.analyze(*image) for image in images]
    assert len(together) == len(NAMES)
    for name, a, b in zip(NAMES, together, alone, strict=True):
        assert isinstance(a, PhotoAnalysis), name
        assert same(a, b), name
    assert [len(a.faces) for a in alone] == [6, 0, 1, 0]


def test_a_photo_a_model_fails_on_keeps_its_error_and_the_others_go_on(
    analyzer: Analyzer, photo: Callable[[str], np.ndarray]
) -> None:
    cat = photo("chelsea.jpg")
    flat = np.zeros((0, 40, 3), np.uint8)  # no rows: the face detector cannot scale it
    out = analyzer.analyze_group([(cat, cat.shape[1], cat.shape[0]), (flat, 40, 0), (cat, 1, 1)])
    assert isinstance(out[1], Exception)
    assert isinstance(out[0], PhotoAnalysis) and isinstance(out[2], PhotoAnalysis)
    assert "Animals/Cat" in out[0].tags and out[0].tags == out[2].tags
    with pytest.raises(type(out[1])):
        analyzer.analyze(flat, 40, 0)
