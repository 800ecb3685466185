"""Long operations as jobs, run one at a time per library off the UI thread, with progress,
pause and cancel.

A job has `run(control)` (off the UI thread; it must touch the library only through the
`UiThreadCaller` it was given) and `finish(result)` (on the UI thread). The queue runs them in
order, so two scans never write at once; a job may absorb one queued after it (`merge`), so that
a burst of changes in watched folders costs one scan. Background work the user is not waiting for
(a job with `gives_way`, and `again()` to take up what it left) stops when any other job is added,
and is queued again after it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from photo_tagger.errors import PhotoTaggerError
from photo_tagger.gui.runner import LibraryClosedError, TaskRunner

if TYPE_CHECKING:
    from photo_tagger.vision.workers import Progress

PROGRESS_EVERY = 0.1  # seconds between progress signals: the status bar need not repaint per photo


@dataclass(frozen=True)
class JobProgress:
    title: str
    status: str  # what the job is doing when it cannot count ("Loading models…")
    done: int
    total: int
    rate: float  # photos per second
    eta_seconds: float | None


class JobControl:
    """Shared by the queue (UI thread) and the running job (its own thread)."""

    def __init__(self, queue: JobQueue, title: str) -> None:
        self._queue = queue
        self._title = title
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._last = 0.0

    def stopped(self) -> bool:
        return self._stop.is_set()

    def paused(self) -> bool:
        return self._pause.is_set()

    def stop(self) -> None:
        self._stop.set()

    def set_paused(self, paused: bool) -> None:
        if paused:
            self._pause.set()
        else:
            self._pause.clear()

    def status(self, text: str) -> None:
        self._queue.progress.emit(JobProgress(self._title, text, 0, 0, 0.0, None))

    def report(self, p: Progress) -> None:
        now = time.monotonic()
        if p.done < p.total and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        self._queue.progress.emit(
            JobProgress(self._title, "", p.done, p.total, p.rate, p.eta_seconds)
        )


class Job(Protocol):
    title: str

    def run(self, control: JobControl) -> Any: ...

    def finish(self, result: Any) -> str:
        """On the UI thread, with what run() returned: a one-line summary for the status bar,
        which shows it after `title` (read again: a cancelled job may say "Cancelled" there)."""
        ...

    def merge(self, other: Job) -> bool:
        """Take over `other` (queued, not started) if it is the same kind of work."""
        ...


class JobQueue(QObject):
    started = Signal(str)  # title
    progress = Signal(object)  # JobProgress (emitted from the job's thread)
    finished = Signal(str, str)  # title, summary
    failed = Signal(
        str, object
    )  # title, the PhotoTaggerError (its message is for the user) or OSError
    pausedChanged = Signal(bool)
    idle = Signal()

    def __init__(self, runner: TaskRunner) -> None:
        super().__init__()
        self._runner = runner
        self._queue: deque[Job] = deque()
        self._current: Job | None = None
        self._control: JobControl | None = None
        self._paused = False
        self._closed = False

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._queue)

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def current(self) -> Job | None:
        return self._current

    def add(self, job: Job) -> None:
        if self._closed:
            return
        for queued in self._queue:
            if queued.merge(job):
                return
        self._queue.append(job)
        current, control = self._current, self._control
        if current is not None and control is not None and gives_way(current, job):
            control.stop()  # it keeps what it stored, and takes up the rest after `job`
            self.add(current.again())  # type: ignore[attr-defined]
        self._next()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        if self._control is not None:
            self._control.set_paused(paused)
        self.pausedChanged.emit(paused)

    def cancel(self) -> None:
        """Stop the running job (keeping what it finished) and drop the queued ones."""
        self._queue.clear()
        if self._control is not None:
            self._control.stop()
        if self._paused:
            self.set_paused(False)

    def close(self) -> None:
        self._closed = True
        self.cancel()

    def _next(self) -> None:
        if self._current is not None or self._closed:
            return
        if not self._queue:
            self.idle.emit()
            return
        job = self._current = self._queue.popleft()
        control = self._control = JobControl(self, job.title)
        control.set_paused(self._paused)
        self.started.emit(job.title)
        self._runner.run(
            lambda: _in_background(job, control),
            lambda result: self._done(job, result),
            lambda error: self._failed(job, error),
        )

    def _done(self, job: Job, result: Any) -> None:
        self._current = self._control = None
        summary = "" if self._closed else job.finish(result)
        self.finished.emit(job.title, summary)
        self._next()

    def _failed(self, job: Job, error: BaseException) -> None:
        self._current = self._control = None
        if self._closed:
            return
        if isinstance(error, PhotoTaggerError | OSError):  # an OSError: the disk, the network
            self.failed.emit(job.title, error)
        self._next()
        if not isinstance(error, PhotoTaggerError | OSError | LibraryClosedError):
            raise error  # a bug: let Qt's handler (and the test suite) see it


def gives_way(running: Job, new: Job) -> bool:
    """Whether `running` is background work (`gives_way`: the closer look for objects) that
    stops for `new`, work the user is waiting for."""
    return getattr(running, "gives_way", False) and not getattr(new, "gives_way", False)


def _in_background(job: Job, control: JobControl) -> Any:
    """Jobs run on a thread of their own, which yields the processor to the window's."""
    if threading.current_thread() is not threading.main_thread():
        from photo_tagger.vision.workers import lower_thread_priority

        lower_thread_priority()
    return job.run(control)
