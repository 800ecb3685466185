"""How the grid's rows changed, so that the view is told what came and went instead of being
laid out anew: the rows two lists share at their start (or, reversed, their end), and the runs of
rows between."""

from __future__ import annotations

from collections.abc import Iterable

from photo_tagger.store.catalog import CID, Row


def common_head(a: list[Row], b: list[Row], chunk: int = 1024) -> int:
    """How many rows at the start of `a` and `b` are the same photos: whole chunks compared at
    C speed, the first differing chunk row by row."""
    n, i = min(len(a), len(b)), 0
    while i < n:
        j = min(n, i + chunk)
        if a[i:j] == b[i:j]:
            i = j
            continue
        while i < j and a[i][CID] == b[i][CID]:
            i += 1
        if i < j:
            return i
    return n


def runs_of(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending indices as (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs
