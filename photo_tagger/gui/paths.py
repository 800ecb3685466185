"""Small facts about paths the window's parts share."""

from __future__ import annotations

import os
from collections.abc import Iterable


def is_inside(path: str, folder: str) -> bool:
    """`path` is `folder` or somewhere below it (not '/photos2' for '/photos')."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def outermost(folders: Iterable[str]) -> list[str]:
    """The folders that are not inside another one of them (scanning those covers the rest)."""
    out: list[str] = []
    for f in sorted({os.path.abspath(f) for f in folders}):
        if not any(is_inside(f, o) for o in out):
            out.append(f)
    return out
