"""The photo tags a classifier's class probabilities mean ("Animals/Cat", not "Egyptian cat").

`models/tagger_vocabulary.json` (written by models/build_vocabulary.py) maps every class of the
tagger to one tag of a hierarchy, or to none, with a weight. A tag's score is the weighted sum of
the probabilities of the classes mapped to it or to any tag below it, capped at 1.0: "Animals"
collects every animal class, "Animals/Cat" only the cats. Each tag has its own threshold: a tag that
sums many classes also collects what an unsure model spreads thinly over them, so broad tags need
more. The object detector's classes map the same way ("horse" -> "Animals/Horse"), each with the
score a detection needs to count as found; an object's tag (and each tag above it) scores the best
of the found objects mapped to it. File shape:

    {"version": "3", "default_threshold": 0.5,
     "tags": {"Animals": {"threshold": 0.54, ...}, "Animals/Cat": {"threshold": 0.3, ...}, ...},
     "classes": [[tag or null, weight, ...], ...],   # one row per class, in the model's order
     "objects": [[tag or null, score to count, object class name], ...]}   # optional

Tag paths are capitalised words joined by '/'. Every ancestor of a tag is itself a tag.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from photo_tagger.errors import ModelError
from photo_tagger.words import reason

SEPARATOR = "/"


def ancestors(tag: str) -> list[str]:
    """ "A/B/C" -> ["A", "A/B"]."""
    parts = tag.split(SEPARATOR)
    return [SEPARATOR.join(parts[:k]) for k in range(1, len(parts))]


class Vocabulary:
    """Class probabilities in, tag scores out. Immutable; safe to share between threads."""

    def __init__(
        self,
        version: str,
        thresholds: dict[str, float],
        classes: list[tuple[str | None, float]],
        default_threshold: float = 0.5,
        objects: dict[str, tuple[str | None, float]] | None = None,
    ) -> None:
        _check(version, thresholds, classes, default_threshold)
        _check_objects(objects or {}, thresholds)
        self.version = version
        self.objects: dict[str, tuple[str | None, float]] = dict(objects or {})
        self.names: list[str] = sorted(thresholds)
        self.default_threshold = default_threshold
        self._thresholds = dict(thresholds)
        self._column = {name: j for j, name in enumerate(self.names)}
        self._threshold_row = np.array([thresholds[n] for n in self.names], dtype=np.float32)
        # (classes x tags): a class's weight in the column of its tag and of every ancestor, so
        # one matrix product gives every tag's score.
        matrix = np.zeros((len(classes), len(self.names)), dtype=np.float32)
        for i, (tag, weight) in enumerate(classes):
            if tag is not None:
                for name in [*ancestors(tag), tag]:
                    matrix[i, self._column[name]] += weight
        matrix.setflags(write=False)
        self._matrix = matrix

    @classmethod
    def from_file(cls, path: Path) -> Vocabulary:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(
                f"The tag vocabulary {path} is missing. Reinstall photo-tagger."
            ) from None
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"The tag vocabulary {path} cannot be read: {reason(exc, 'it is damaged')}. "
                "Reinstall photo-tagger."
            ) from exc
        try:
            return cls.from_dict(data)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"The tag vocabulary {path} is damaged. Reinstall photo-tagger."
            ) from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        thresholds = {str(t): float(v["threshold"]) for t, v in data["tags"].items()}
        classes = [
            (None if row[0] is None else str(row[0]), float(row[1])) for row in data["classes"]
        ]
        objects = {
            str(row[2]): (None if row[0] is None else str(row[0]), float(row[1]))
            for row in data.get("objects", [])  # a vocabulary older than the object detector
        }
        return cls(
            version=str(data["version"]),
            thresholds=thresholds,
            classes=classes,
            default_threshold=float(data.get("default_threshold", 0.5)),
            objects=objects,
        )

    @property
    def num_classes(self) -> int:
        return int(self._matrix.shape[0])

    def scores(self, probs: np.ndarray, floor: float = 0.05) -> dict[str, float]:
        """Every tag (leaves and ancestors) scoring at least `floor`, best first, to 3 decimals."""
        s = self._score_row(probs)
        return self._pick(s, s >= floor)

    def tags(self, probs: np.ndarray) -> dict[str, float]:
        """The tags a user sees: each over its own threshold, best first.

        An ancestor of a shown tag is shown only if it is over its own threshold too.
        """
        s = self._score_row(probs)
        return self._pick(s, s >= self._threshold_row)

    def object_threshold(self, label: str) -> float:
        """The score an object of class `label` needs to count as found (`default_threshold` for
        a class this vocabulary does not map)."""
        entry = self.objects.get(label)
        return entry[1] if entry else self.default_threshold

    def object_tags(self, found: Iterable[tuple[str, float]]) -> dict[str, float]:
        """Tag -> score of the found objects, given as (class name, score): each object's tag
        and every tag above it score the best object mapped to them, to 3 decimals."""
        tags: dict[str, float] = {}
        for label, score in found:
            tag = self.objects.get(label, (None, 0.0))[0]
            if tag is None:
                continue
            for name in [*ancestors(tag), tag]:
                tags[name] = max(tags.get(name, 0.0), round(float(score), 3))
        return tags

    def threshold(self, tag: str) -> float:
        """The score a tag needs to count; `default_threshold` for tags this vocabulary lacks."""
        return self._thresholds.get(tag, self.default_threshold)

    def is_known(self, tag: str) -> bool:
        return tag in self._thresholds

    def _score_row(self, probs: np.ndarray) -> np.ndarray:
        p = np.asarray(probs, dtype=np.float32)
        if p.shape != (self.num_classes,):
            raise ValueError(f"expected {self.num_classes} class probabilities, got {p.shape}")
        return np.minimum(p @ self._matrix, np.float32(1.0))  # type: ignore[no-any-return]

    def _pick(self, s: np.ndarray, keep: np.ndarray) -> dict[str, float]:
        idx = np.flatnonzero(keep)
        idx = idx[np.argsort(-s[idx], kind="stable")]  # names are sorted, so ties stay A-Z
        return {self.names[j]: round(float(s[j]), 3) for j in idx}


def _check(
    version: str,
    thresholds: dict[str, float],
    classes: list[tuple[str | None, float]],
    default_threshold: float,
) -> None:
    """Raise ValueError unless the vocabulary is one a photo can be scored with."""
    if not version:
        raise ValueError("no version")
    if not classes:
        raise ValueError("no classes")
    for tag, t in [*thresholds.items(), ("default", default_threshold)]:
        if not (0.0 < t <= 1.0) or math.isnan(t):
            raise ValueError(f"threshold of {tag!r} is {t}, not in (0, 1]")
    for tag in thresholds:
        parts = tag.split(SEPARATOR)
        if any(not p or p != p.strip() for p in parts):
            raise ValueError(f"malformed tag path {tag!r}")
        missing = [a for a in ancestors(tag) if a not in thresholds]
        if missing:
            raise ValueError(f"tag {tag!r} lacks its ancestor {missing[0]!r}")
    for i, (class_tag, weight) in enumerate(classes):
        if class_tag is not None and class_tag not in thresholds:
            raise ValueError(f"class {i} maps to unknown tag {class_tag!r}")
        if not (0.0 <= weight <= 1.0):
            raise ValueError(f"class {i} has weight {weight}, not in [0, 1]")


def _check_objects(
    objects: dict[str, tuple[str | None, float]], thresholds: dict[str, float]
) -> None:
    """Raise ValueError unless every object class maps to a known tag (or none) with a score in
    (0, 1)."""
    for label, (tag, score) in objects.items():
        if tag is not None and tag not in thresholds:
            raise ValueError(f"object class {label!r} maps to unknown tag {tag!r}")
        if not (0.0 < score < 1.0):
            raise ValueError(f"object class {label!r} counts from {score}, not in (0, 1)")
