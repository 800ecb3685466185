"""Model releases for the tests, made from the shipped models as a publisher would make them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from photo_tagger.vision.model import default_models_dir


def bumped_models(tmp_path: Path, name: str = "models-v2") -> Path:
    """The shipped models as a new release: same files, the tagger's version raised."""
    source = tmp_path / name
    shutil.copytree(default_models_dir(), source, ignore=shutil.ignore_patterns("fp32", "work"))
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["models"]["tagger"]["version"] = "2"
    (source / "manifest.json").write_text(json.dumps(manifest))
    return source


def different_models(tmp_path: Path, name: str = "models-different") -> Path:
    """A release that sees the sample photos differently: a stricter cat, a tie that needs more
    and a suit that needs less (vocabulary 4), and a face detector that wants faces surer than
    any face of the photos.

    On the test photos, with the shipped models as the ones in use: chelsea.jpg loses Animals and
    Animals/Cat; obama.jpg loses its face (0.9-0.95 < 0.999), hence People/Portrait, but not
    People once the object detector has looked (it sees a person); obama2.jpg loses its face and
    People/Portrait too, and Clothing/Tie (0.51 < 0.6), and gains Clothing/Suit (0.27 >= 0.25);
    coffee.jpg is as it was."""
    source = bumped_models(tmp_path, name)
    vocabulary = json.loads((source / "tagger_vocabulary.json").read_text())
    vocabulary["version"] = "4"
    for tag, threshold in {"Animals/Cat": 0.99, "Clothing/Tie": 0.6, "Clothing/Suit": 0.25}.items():
        vocabulary["tags"][tag]["threshold"] = threshold
    (source / "tagger_vocabulary.json").write_text(json.dumps(vocabulary))
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["models"]["face_detector"]["thresholds"]["min_score"] = 0.999
    manifest["models"]["face_detector"]["version"] = "2"
    (source / "manifest.json").write_text(json.dumps(manifest))
    return source
