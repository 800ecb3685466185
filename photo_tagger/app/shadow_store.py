"""What the last shadow test of the library's new models found, kept in the library's folder on
this computer only (`LIBRARY/models/shadow.json`, never synced), until the user accepts or rejects
the new models. Written atomically; read within a bound and checked, and when it cannot be read
(damaged, or written by something else) it is as if there were none: the test is run again.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from photo_tagger.app.shadow import PhotoChange, ShadowReport

REPORT = Path("models") / "shadow.json"
MAX_REPORT_BYTES = 64 << 20  # 200 photos take a few tens of KB
VERSION = 1


def report_file(library_dir: Path) -> Path:
    return Path(library_dir) / REPORT


def save_report(library_dir: Path, report: ShadowReport) -> None:
    path = report_file(library_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(to_dict(report), fh)  # ASCII: a path that is not UTF-8 survives as escapes
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_report(library_dir: Path) -> ShadowReport | None:
    """The last report, or None when there is none or it cannot be read."""
    try:
        with open(report_file(library_dir), "rb") as fh:
            data = fh.read(MAX_REPORT_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_REPORT_BYTES:
        return None
    try:
        return from_dict(json.loads(data))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def forget_report(library_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(report_file(library_dir))


def to_dict(report: ShadowReport) -> dict[str, Any]:
    return {
        "version": VERSION,
        "candidate": report.candidate,
        "release": report.release,
        "current": report.current,
        "current_dir": report.current_dir,
        "scale": report.scale,
        "library_photos": report.library_photos,
        "sampled": report.sampled,
        "compared": report.compared,
        "changed": [
            {
                "id": c.photo_id,
                "path": c.path,
                "lost": list(c.lost),
                "gained": list(c.gained),
                "faces": list(c.faces),
            }
            for c in report.changed
        ],
        "skipped": [list(s) for s in report.skipped],
        "made": report.made,
    }


def from_dict(d: dict[str, Any]) -> ShadowReport:
    """The report `to_dict` wrote; ValueError (or TypeError, KeyError) for anything else."""
    if d["version"] != VERSION:
        raise ValueError("another version")
    release = d["release"]
    if release is not None and (not isinstance(release, int) or isinstance(release, bool)):
        raise ValueError("release")
    changed = [
        PhotoChange(
            text(c["id"]),
            text(c["path"]),
            tuple(text(t) for t in c["lost"]),
            tuple(text(t) for t in c["gained"]),
            (count(c["faces"][0]), count(c["faces"][1])),
        )
        for c in d["changed"]
    ]
    skipped = [(text(path), text(reason)) for path, reason in d["skipped"]]
    return ShadowReport(
        text(d["candidate"]), release, text(d["current"]), text(d["current_dir"]),
        float(d["scale"]), count(d["library_photos"]), count(d["sampled"]),
        count(d["compared"]), changed, skipped, float(d["made"]),
    )  # fmt: skip


def text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("not a count")
    return value
