"""How often the tags are plainly wrong, and how well faces, objects and people are found, on a
labelled set of pictures (benchmarks/accuracy/: the pictures, and labels.json, what a person
looking at each says it shows).

    .venv/bin/python benchmarks/bench_accuracy.py [--models DIR] [--split all|tune|held-out]
                                                  [--objects-in-scan] [--scan-only]

Each picture is scanned as it is and in four copies a library also gets: small (320 px on its
longer side), brighter (gamma 0.55), darker (half the light) and recompressed (JPEG quality 25).
The scan is the app's own (Importer, the real models), followed by the closer look for objects
that the window runs after a scan (app/closer_look.py; `--scan-only` leaves it out); what is
judged is what the user sees:
the tags over their thresholds that come from the models (a photo's own facts, its date and
place, are not judged here).

Printed, per split ("held-out" pictures take no part in tuning any threshold):
- wrong: pictures with at least one plainly wrong tag (not in the picture's `expect` or `allow`
  labels, nor a parent of one), and the share of them (target: at most 1 in 20);
- precision and recall of the model tags against `expect`;
- faces: pictures whose face count is within the labelled range; false faces on pictures with
  none, per 100 pictures (target: at most 1);
- objects: recall of the COCO objects in view (`objects`), read from the objects the scan stored
  for each picture, and "by tag": stored, or shown as the tag the object's class maps to (what a
  search for it finds; target: 0.8; a scan leaves the object detector to the closer look after
  it, `--objects-in-scan` has the scan run it, to judge a scan with it by `--scan-only`), and the
  objects stored that are neither in view nor allowed (`objects_allow`: there but small or partly
  hidden), per 100 pictures;
- people: of the people seen in two or more pictures, how many have all their faces in one group
  (target: 90 %), and groups holding two people (target: none).
Then every plainly wrong tag, with its picture, copy and score, and every expected tag missed, so
that each can be looked at.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.app.closer_look import look_closer  # noqa: E402
from photo_tagger.app.scan import Importer  # noqa: E402
from photo_tagger.app.thresholds import models_threshold  # noqa: E402
from photo_tagger.store import rules  # noqa: E402
from photo_tagger.store.library import Library  # noqa: E402
from photo_tagger.vision.model import Manifest, default_models_dir  # noqa: E402
from photo_tagger.vision.pipeline import Models  # noqa: E402
from photo_tagger.vision.vocabulary import Vocabulary, ancestors  # noqa: E402

SET = Path(__file__).resolve().parent / "accuracy"
COPIES = ("original", "small", "bright", "dark", "jpeg25")


def make_copy(source: Path, copy: str, dest: Path) -> Path:
    image = Image.open(source).convert("RGB")
    if copy == "small":
        image.thumbnail((320, 320), Image.Resampling.LANCZOS)
    elif copy in ("bright", "dark"):
        a = np.asarray(image, dtype=np.float32) / 255.0
        a = a**0.55 if copy == "bright" else a * 0.5
        image = Image.fromarray(np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8))
    path = dest / f"{source.stem}.{copy}.jpg"
    image.save(path, quality=25 if copy == "jpeg25" else 92)
    return path


@dataclass
class Seen:
    """What the scan made of one copy of one picture."""

    name: str
    copy: str
    tags: dict[str, float]  # the model tags the user sees
    faces: int
    persons: list[str]  # the group of each face
    objects: list[str]  # the class of each object the scan stored


@dataclass
class Tally:
    pictures: int = 0
    wrong_pictures: int = 0
    shown: int = 0
    right: int = 0
    expected: int = 0
    found: int = 0
    faces_ok: int = 0
    face_free: int = 0
    false_faces: int = 0
    objects: int = 0
    objects_found: int = 0
    objects_tagged: int = 0  # in view, and stored or shown as the tag its class maps to
    false_objects: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def judge(label: dict, seen: Seen, tally: Tally, object_tags: dict[str, str | None]) -> None:
    fine = set(label["expect"]) | set(label["allow"])
    fine |= {a for t in fine for a in ancestors(t)}
    lo, hi = label["faces"]
    if hi:  # the face detector's tags
        fine |= {"People"} | ({"People/Group"} if hi >= 3 else set())
        fine |= {"People/Portrait"} if lo <= 2 else set()
    tally.pictures += 1
    wrong = {t: s for t, s in seen.tags.items() if t not in fine}
    tally.wrong_pictures += bool(wrong)
    tally.shown += len(seen.tags)
    tally.right += len(seen.tags) - len(wrong)
    tally.expected += len(label["expect"])
    tally.found += sum(t in seen.tags for t in label["expect"])
    tally.faces_ok += lo <= seen.faces <= hi
    if hi == 0:
        tally.face_free += 1
        tally.false_faces += seen.faces
    tally.objects += len(label["objects"])
    tally.objects_found += sum(o in seen.objects for o in label["objects"])
    tally.objects_tagged += sum(
        o in seen.objects or object_tags.get(o) in seen.tags for o in label["objects"]
    )
    missed = [o for o in label["objects"] if o not in seen.objects]
    tally.missed += [f"{seen.name} ({seen.copy}): {o}" for o in missed]
    fine_objects = set(label["objects"]) | set(label["objects_allow"])
    false_objects = [o for o in seen.objects if o not in fine_objects]
    tally.false_objects += len(false_objects)
    tally.wrong += [f"{seen.name} ({seen.copy}): object {o}" for o in false_objects]
    tally.wrong += [f"{seen.name} ({seen.copy}): {t} {s:.2f}" for t, s in wrong.items()]
    tally.missed += [
        f"{seen.name} ({seen.copy}): {t}" for t in label["expect"] if t not in seen.tags
    ]


def scan(
    pictures: list[Path],
    models_dir: Path,
    work: Path,
    objects_in_scan: bool = False,
    closer_look: bool = True,
) -> dict[Path, Seen]:
    folder = work / "copies"
    folder.mkdir()
    copies = {make_copy(p, c, folder): (p.name, c) for p in pictures for c in COPIES}
    threshold = models_threshold(models_dir)
    seen: dict[Path, Seen] = {}
    with Library.open(work / "library") as library:
        importer = Importer(library, Models.load(models_dir))
        importer.analyzer.with_objects = objects_in_scan
        report = importer.scan([folder])
        if report.skipped:
            raise SystemExit(f"skipped: {report.skipped}")
        if closer_look:  # as the window does after a scan, and `photo-tagger look-closer`
            looked = look_closer(importer)
            if looked.skipped:
                raise SystemExit(f"skipped by the closer look: {looked.skipped}")
        for path, (name, copy) in copies.items():
            entry = library.index.lookup(str(path))
            assert entry is not None, path
            pid = entry[2]
            sources = library.auto_tags(pid)
            tags = {
                t: s
                for t, s in library.effective_tags(pid, threshold).items()
                if sources.get(t, {}).get("source") != rules.PHOTO
            }
            _, faces = library.faces(pid)
            persons = []
            for i in range(len(faces)):
                person = library.face_person(pid, i)
                persons.append(person[0] if person else "")
            objects = [o["label"] for o in library.index.objects(pid)]
            seen[path] = Seen(name, copy, tags, len(faces), persons, objects)
    return seen


def people_figures(labels: dict, seen: list[Seen]) -> tuple[int, int, int]:
    """(people seen in 2+ pictures, those in one group, groups holding two people)."""
    groups_of: dict[str, set[str]] = defaultdict(set)
    people_in: dict[str, set[str]] = defaultdict(set)
    for s in seen:
        person = labels[s.name]["person"]
        if person is None or person == "group" or len(s.persons) != 1:
            continue
        groups_of[person].add(s.persons[0])
        people_in[s.persons[0]].add(person)
    counted = [p for p, groups in groups_of.items() if groups]
    together = sum(len(groups_of[p]) == 1 for p in counted)
    mixed = sum(len(people) > 1 for group, people in people_in.items() if group)
    return len(counted), together, mixed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, default=None, help="default: the shipped models")
    parser.add_argument("--split", choices=("all", "tune", "held-out"), default="all")
    parser.add_argument(
        "--objects-in-scan",
        action="store_true",
        help="run the object detector in the scan, not in the closer look after it",
    )
    parser.add_argument(
        "--scan-only",
        action="store_true",
        help="judge what the scan leaves, before the closer look for objects",
    )
    args = parser.parse_args()
    labels = json.loads((SET / "labels.json").read_text(encoding="utf-8"))["photos"]
    models_dir = args.models or default_models_dir()
    pictures = [SET / "photos" / name for name in sorted(labels)]
    with tempfile.TemporaryDirectory() as tmp:
        found = scan(pictures, models_dir, Path(tmp), args.objects_in_scan, not args.scan_only)
        seen = list(found.values())
    splits = ("tune", "held-out") if args.split == "all" else (args.split,)
    vocabulary = Vocabulary.from_file(Manifest(models_dir).vocabulary_file())
    object_tags = {label: tag for label, (tag, _) in vocabulary.objects.items()}
    print(
        f"models: {models_dir}; {len(pictures)} pictures x {len(COPIES)} copies; "
        + ("as the scan leaves them" if args.scan_only else "after the closer look for objects")
    )
    print(
        f"{'split':9} {'pictures':>8} {'wrong':>11} {'precision':>9} {'recall':>6} "
        f"{'faces ok':>8} {'false/100':>9} {'objects':>7} {'by tag':>6} {'false/100':>9}"
    )
    for split in (*splits, "all") if len(splits) > 1 else splits:
        tally = Tally()
        for s in seen:
            if split == "all" or labels[s.name]["split"] == split:
                judge(labels[s.name], s, tally, object_tags)
        false_rate = 100 * tally.false_faces / max(1, tally.face_free)
        print(
            f"{split:9} {tally.pictures:8} "
            f"{tally.wrong_pictures:4} ({tally.wrong_pictures / tally.pictures:4.0%}) "
            f"{tally.right / max(1, tally.shown):9.2f} {tally.found / max(1, tally.expected):6.2f} "
            f"{tally.faces_ok / tally.pictures:8.0%} {false_rate:9.1f} "
            f"{tally.objects_found / max(1, tally.objects):7.2f} "
            f"{tally.objects_tagged / max(1, tally.objects):6.2f} "
            f"{100 * tally.false_objects / tally.pictures:9.1f}"
        )
        last = tally
    counted, together, mixed = people_figures(labels, seen)
    print(
        f"people: {together} of {counted} have all their faces in one group; "
        f"{mixed} groups hold two people"
    )
    print("plainly wrong tags, and objects neither in view nor allowed:")
    for line in last.wrong:
        print(f"  {line}")
    print("tags and objects in view missed:")
    for line in last.missed:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
