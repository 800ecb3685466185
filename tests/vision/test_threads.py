"""The pipeline's threads: every outcome comes back, and a window's scan yields to the UI thread."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from photo_tagger.vision.workers import lower_thread_priority, map_in_groups, map_in_threads


def niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_every_item_comes_back_once_errors_included() -> None:
    def work(i: int) -> int:
        if i == 3:
            raise ValueError("a bad photo")
        return i * i

    outcomes = list(map_in_threads(work, range(10), workers=3))
    assert sorted(o.item for o in outcomes) == list(range(10))
    bad = [o for o in outcomes if o.error is not None]
    assert [o.item for o in bad] == [3] and isinstance(bad[0].error, ValueError)
    assert {o.item: o.result for o in outcomes if o.error is None} == {
        i: i * i for i in range(10) if i != 3
    }


def test_items_done_a_few_at_a_time_come_back_one_by_one() -> None:
    groups: list[list[int]] = []

    def work(group: Sequence[int]) -> list[int | BaseException]:
        groups.append(list(group))
        if 8 in group:
            raise RuntimeError("the whole group failed")
        return [ValueError("a bad photo") if i == 3 else i * i for i in group]

    outcomes = list(map_in_groups(work, list(range(10)), workers=1))
    assert [o.item for o in outcomes] == list(range(10))
    assert sorted(groups) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]  # at most GROUP a call
    errors = {o.item: type(o.error).__name__ for o in outcomes if o.error is not None}
    assert errors == {3: "ValueError", 8: "RuntimeError", 9: "RuntimeError"}
    assert {o.item: o.result for o in outcomes if o.error is None} == {
        i: i * i for i in range(8) if i != 3
    }


def test_few_items_are_shared_between_the_workers() -> None:
    sizes: list[int] = []

    def work(group: Sequence[int]) -> list[int]:
        sizes.append(len(group))
        return list(group)

    assert [o.result for o in map_in_groups(work, [1, 2, 3], workers=2)] == [1, 2, 3]
    assert sizes == [1, 1, 1]  # in one group, one core would do everything
    sizes.clear()
    list(map_in_groups(work, list(range(12)), workers=2))
    assert sizes == [3, 3, 3, 3]


def test_a_stop_starts_nothing_more_and_drops_what_waits() -> None:
    """A scan the user stops waits for the photos being read, not for those queued behind."""
    started: list[int] = []
    release, stop = threading.Event(), threading.Event()
    asked_since_stop = [0]

    def should_stop() -> bool:
        asked_since_stop[0] += stop.is_set()
        return stop.is_set()

    def work(i: int) -> int:
        started.append(i)
        release.wait(10)
        return i

    outcomes: list[Any] = []
    run = map_in_threads(work, range(10), workers=1, should_stop=should_stop, ahead=3)
    reader = threading.Thread(target=lambda: outcomes.extend(run))
    reader.start()
    deadline = time.monotonic() + 10
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    # asked twice: the run has seen the stop while item 0 was in flight, and acted on it
    while asked_since_stop[0] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    reader.join(10)
    assert [o.result for o in outcomes] == [0]  # 1 and 2 were queued: they never start
    assert started == [0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread policy is Linux's")
def test_background_threads_run_as_batch_work_at_the_callers_priority() -> None:
    """Batch work never takes the processor from the window's thread when it wakes, and keeps its
    share against other programs: a lower nice value would have the scan yield to them too."""
    mine = (niceness(), policy())
    background = {
        o.result
        for o in map_in_threads(lambda _: (niceness(), policy()), range(4), 2, background=True)
    }
    foreground = {o.result for o in map_in_threads(lambda _: (niceness(), policy()), range(4), 2)}
    assert foreground == {mine}
    assert background == {(mine[0], os.SCHED_BATCH)}
    assert (niceness(), policy()) == mine  # the caller (the window's thread) keeps its own

    def twice(_: int) -> tuple[int, int]:
        lower_thread_priority()
        return niceness(), policy()

    # asked again (a job thread runs one job after another), it stays where it is
    assert {o.result for o in map_in_threads(twice, range(4), 2, background=True)} == background


def policy() -> int:
    return os.sched_getscheduler(threading.get_native_id())


def test_a_run_closed_on_one_of_its_own_threads_lets_go_without_joining_it() -> None:
    """A run the caller stopped reading is closed when it is collected, which may be on one of
    its own threads (the garbage collector runs wherever memory is asked for): it must not wait
    for that thread, which would fail with "cannot join current thread"."""
    run: list[Iterator[Any]] = []
    closed: list[BaseException | None] = []
    started = threading.Event()

    def work(i: int) -> int:
        if i == 3:
            started.wait(10)
            try:
                run[0].close()  # type: ignore[attr-defined]
                closed.append(None)
            except BaseException as exc:  # noqa: BLE001 (what closing raised is the finding)
                closed.append(exc)
        return i

    run.append(map_in_threads(work, range(8), 2))
    next(run[0])
    started.set()
    deadline = time.monotonic() + 10
    while not closed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert closed == [None]
