"""Where a use case's work runs: the library's own thread, and a child process.

A library (its document and index) belongs to one thread. The command line owns its library on
the thread that works, so `call_here` just calls; the window works on background threads and
hands each slice of library work to the UI thread, which owns the library
(gui/runner.py's caller), so that the window never waits long. Library-wide work in pure Python
(events across 100,000 photos) runs through a `Runner`: here, or in a child process run as batch
work, where it cannot hold the window's interpreter lock.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class LibraryCaller(Protocol):
    """Runs `fn` on the thread that owns the library and returns what it returns."""

    def __call__(self, fn: Callable[[], T], /) -> T: ...


def call_here(fn: Callable[[], T]) -> T:
    """The library belongs to the calling thread (the command line): just call."""
    return fn()


def slices(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """`items` in runs of `size`: one call to the library's thread, or one transaction, each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


Runner = Callable[..., Any]  # runs fn(*args) somewhere and returns what it returns


def run_here(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


def run_in_child_process(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in a new process, as batch work: library-wide work in pure Python (events
    across 100,000 photos) would otherwise hold the interpreter lock for tens of milliseconds at
    a time and keep the window from answering. `fn` and its arguments must be picklable."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_background) as pool:
        return pool.submit(fn, *args).result()


def _background() -> None:
    """The child runs as batch work (Linux): it never takes the processor from the window's
    thread when it wakes, and keeps its fair share against other programs. Elsewhere, a lower
    priority."""
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (OSError, AttributeError):
        with contextlib.suppress(OSError, AttributeError):
            os.nice(10)
