"""Which files are photos, which changed since the last scan, and what identifies a photo.

A photo is known by its content id (a hash of its bytes), never by its path: a moved or renamed
file keeps its tags, and the same photo under two paths is one photo.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from photo_tagger.files.formats import PHOTO_SUFFIXES


@dataclass(frozen=True)
class FileStat:
    path: str  # absolute
    size: int
    mtime_ns: int


@dataclass
class ScanPlan:
    changed: list[FileStat] = field(default_factory=list)  # new, or size/mtime differ
    unchanged: list[FileStat] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # indexed under a scanned root, now gone


ErrorSink = Callable[[str, str], None]  # (path, reason)


def content_id(data: bytes) -> str:
    """The first 128 bits of the SHA-256 of the file's bytes, as hex.

    SHA-256 runs in hardware on current x86 and ARM processors (~2 GB/s here, twice BLAKE2b's
    speed), and 128 bits keep collisions out of reach for any photo library.
    """
    return hashlib.sha256(data).hexdigest()[:32]


def is_photo_name(name: str) -> bool:
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in PHOTO_SUFFIXES


def walk(roots: Iterable[Path], on_error: ErrorSink) -> Iterator[FileStat]:
    """Every photo file under `roots` (folders or single files), hidden entries skipped.

    A folder or file that cannot be listed or stat'ed is reported through `on_error` and the walk
    goes on. Symbolic links to folders are not followed (they can loop).
    """
    for root in roots:
        root = Path(os.path.abspath(root))
        if root.is_file():
            stat = _stat(str(root), on_error)
            if stat is not None:
                yield stat
            continue
        if not root.exists():
            on_error(str(root), "no such file or folder")
            continue

        def report(exc: OSError, root: Path = root) -> None:
            on_error(exc.filename or str(root), f"cannot read folder ({exc.strerror})")

        for folder, dirs, files in os.walk(root, onerror=report):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if is_photo_name(name):
                    stat = _stat(os.path.join(folder, name), on_error)
                    if stat is not None:
                        yield stat


def _stat(path: str, on_error: ErrorSink) -> FileStat | None:
    try:
        st = os.stat(path)
    except OSError as exc:
        on_error(path, f"cannot read file ({exc.strerror})")
        return None
    return FileStat(path=path, size=st.st_size, mtime_ns=st.st_mtime_ns)


def plan_scan(
    stats: Iterable[FileStat],
    known: Callable[[str], tuple[int, int, str] | None],
    indexed_under_roots: Iterable[str],
) -> ScanPlan:
    """Split what the walk found into changed and unchanged, and find indexed paths now gone.

    `known(path)` gives the indexed (size, mtime_ns, content id) of a path, or None.
    """
    plan = ScanPlan()
    seen: set[str] = set()
    for st in stats:
        seen.add(st.path)
        row = known(st.path)
        if row is not None and row[0] == st.size and row[1] == st.mtime_ns:
            plan.unchanged.append(st)
        else:
            plan.changed.append(st)
    plan.missing = [p for p in indexed_under_roots if p not in seen]
    return plan
