"""Worker threads for per-photo work, and the progress of a long run.

`map_in_threads` runs any per-item function on a pool of threads, a bounded number of items in
flight; `map_in_groups` does the same for a function of a few items at once (the scan analyses a
few photos a call, so that each model's weights stay in the processor's cache from one photo to
the next). onnxruntime, OpenCV and libjpeg release the GIL, so threads scale across cores without
copying buffers between processes. `Progress` counts what is done, with its rate and time left.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

# photos a call when the scan analyses a few at once: with 4, each model's weights are still in
# the processor's cache for the next photo (on one core, everything but decoding took 16.6 ms a
# photo instead of 18.7-21.0 one at a time; the scan's rate rose 2-5 %); 8 held more decoded
# photos than the cache and gained less
GROUP = 4
STOP_POLL_SECONDS = 0.05  # how soon a run sees a stop while it waits for work in flight

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    item: T
    result: R | None
    error: BaseException | None


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def lower_thread_priority() -> None:
    """Make the calling thread yield the processor to the user's: a scan in the window runs on
    every core, and the window's own thread must still answer within a few milliseconds. Best
    effort: where the system refuses, the thread runs at normal priority."""
    try:
        if sys.platform.startswith("linux"):
            # A Linux thread is a task with its own scheduling. As batch work it never takes the
            # processor from the window's thread when it wakes, while keeping its fair share
            # against other programs: a nice value would yield to them too (10 gave a scan in
            # the window a tenth of the processor on a machine busy with anything else).
            tid = threading.get_native_id()
            if os.sched_getscheduler(tid) != os.SCHED_BATCH:
                os.sched_setscheduler(tid, os.SCHED_BATCH, os.sched_param(0))
        elif sys.platform == "darwin":
            PRIO_DARWIN_THREAD, PRIO_DARWIN_BG = 3, 1  # noqa: N806 (sys/resource.h)
            os.setpriority(PRIO_DARWIN_THREAD, 0, PRIO_DARWIN_BG)
        elif sys.platform == "win32":
            kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
            THREAD_PRIORITY_BELOW_NORMAL = -1  # noqa: N806 (winbase.h)
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL)
    except (OSError, AttributeError):
        pass


def map_in_threads(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    should_stop: Callable[[], bool] = lambda: False,
    background: bool = False,
    ahead: int | None = None,
) -> Generator[Outcome[T, R], None, None]:
    """`fn` over `items` on `workers` threads, yielding the outcomes in the items' order.

    At most `ahead` (by default `2 * workers`) items are in flight, so a 100,000-photo scan never
    holds more than a few decoded photos in memory, and a stop waits for no more. An exception
    from `fn` is handed back in its outcome, never raised: one bad photo must not stop a scan.
    When `should_stop()` turns true, no new item starts, and those that have not started do not
    come back. `background`: the threads run at a lower priority than the rest of the program
    (the window).
    """
    it = iter(items)
    pool = ThreadPoolExecutor(
        max_workers=workers,
        thread_name_prefix="photo",
        initializer=lower_thread_priority if background else None,
    )
    pending: deque[tuple[T, Future[R]]] = deque()
    most = ahead or 2 * workers

    def fill() -> None:
        while len(pending) < most and not should_stop():
            try:
                item = next(it)
            except StopIteration:
                return
            pending.append((item, pool.submit(fn, item)))

    finished = False
    try:
        fill()
        while pending:
            item, fut = pending[0]
            if not fut.done():
                _wait_or_drop(fut, [f for _, f in pending], should_stop)
                continue
            pending.popleft()
            if fut.cancelled():
                continue
            try:
                result = fut.result()
            except Exception as exc:  # reported per photo by the caller
                yield Outcome(item, None, exc)
            else:
                yield Outcome(item, result, None)
            fill()
        finished = True
    finally:
        # A run the caller stopped reading (an error on its side, or the generator collected
        # later, which may happen on one of these very threads) does not wait for the work in
        # flight: joining would wait on the thread doing the collecting.
        pool.shutdown(wait=finished, cancel_futures=not finished)


def _wait_or_drop(
    first: Future[Any], pending: list[Future[Any]], should_stop: Callable[[], bool]
) -> None:
    """Wait a little for `first`; on a stop, drop what has not started, so that a run the user
    stops ends with what is being done now (what has started goes on)."""
    wait([first], timeout=STOP_POLL_SECONDS)
    if should_stop():
        for fut in pending:
            fut.cancel()


def map_in_groups(
    fn: Callable[[Sequence[T]], Sequence[R | BaseException]],
    items: Sequence[T],
    workers: int,
    should_stop: Callable[[], bool] = lambda: False,
    background: bool = False,
    most: int = GROUP,
) -> Generator[Outcome[T, R], None, None]:
    """`map_in_threads` for a function of a few items at once, which gives back each item's
    result, or the exception it failed with, in the item's place: outcomes are still one per
    item. Groups hold at most `most` items, and fewer when there are few items, so that every
    worker has some. One group a worker is in flight, and one more: what a stop waits for."""
    size = max(1, min(most, len(items) // (2 * max(1, workers))))
    groups = [items[i : i + size] for i in range(0, len(items), size)]
    run = map_in_threads(fn, groups, workers, should_stop, background, ahead=workers + 1)
    with closing(run) as outcomes:
        for outcome in outcomes:
            if outcome.error is not None:
                results: Sequence[R | BaseException] = [outcome.error] * len(outcome.item)
            else:
                assert outcome.result is not None
                results = outcome.result
            for item, r in zip(outcome.item, results, strict=True):
                if isinstance(r, BaseException):
                    yield Outcome(item, None, r)
                else:
                    yield Outcome(item, r, None)


@dataclass
class Progress:
    """Photos done, rate and time left, for a terminal line or a status bar."""

    total: int
    done: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, skipped: bool = False) -> None:
        self.done += 1
        self.skipped += int(skipped)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        r = self.rate
        return (self.total - self.done) / r if r > 0 else None

    def line(self) -> str:
        eta = self.eta_seconds
        eta_s = "--:--" if eta is None else f"{int(eta) // 60:02d}:{int(eta) % 60:02d}"
        return f"{self.done}/{self.total} photos  {self.rate:.1f} photos/s  ETA {eta_s}" + (
            f"  ({self.skipped} skipped)" if self.skipped else ""
        )
