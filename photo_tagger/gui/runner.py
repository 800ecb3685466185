"""The one way off the UI thread, and the way back onto it.

`TaskRunner.run(task, done, failed)` runs `task` somewhere and then `done(result)` (or
`failed(error)`) on the UI thread. `ThreadPoolRunner` runs tasks on a QThreadPool; `InlineRunner`
runs them at once, on the calling thread, so that tests are deterministic.

`UiThreadCaller` is the other direction: a background thread hands it a function that touches the
library, and waits while the UI thread runs it (`photo_tagger.app.scan.LibraryCaller`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

T = TypeVar("T")

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class TaskRunner(Protocol):
    def run(
        self,
        task: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None: ...


class LibraryClosedError(RuntimeError):
    """The window let go of the library while a background task still wanted it."""


class _Poster(QObject):
    """Lives on the UI thread; a signal emitted from any thread runs the callable there."""

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._run)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


def _report_unhandled(error: BaseException) -> None:
    raise error  # a task nobody listens to must not fail silently: Qt's handler shows it


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self._fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        self._fn()


class ThreadPoolRunner:
    """Tasks on a QThreadPool; `done`/`failed` back on the thread that built the runner."""

    def __init__(self, pool: QThreadPool) -> None:
        self._pool = pool
        self._poster = _Poster()

    def run(
        self,
        task: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        poster = self._poster

        def work() -> None:
            try:
                result = task()
            except BaseException as exc:  # handed to the UI thread, never lost in the pool
                error = exc
                poster.posted.emit(lambda: (failed or _report_unhandled)(error))
                return
            if done is not None:
                poster.posted.emit(lambda: done(result))

        self._pool.start(_Task(work))

    def wait(self, msecs: int = -1) -> bool:
        """Wait for every started task (for shutting down); True if they all ended."""
        return bool(self._pool.waitForDone(msecs))


class InlineRunner:
    """Runs each task at once on the calling thread (tests, screenshots)."""

    def run(
        self,
        task: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        try:
            result = task()
        except Exception as exc:
            (failed or _report_unhandled)(exc)
            return
        if done is not None:
            done(result)

    def wait(self, msecs: int = -1) -> bool:
        return True


class UiThreadCaller:
    """Call a function on the UI thread from any thread and wait for its result.

    Built on the UI thread. Called there, it just calls. `close()` makes every waiting and later
    call raise LibraryClosedError, so that a background scan never waits on a window that is gone.
    """

    def __init__(self) -> None:
        self._poster = _Poster()
        self._owner = QThread.currentThread()
        self._closed = threading.Event()
        self._waiting: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def __call__(self, fn: Callable[[], T], /) -> T:
        if QThread.currentThread() is self._owner:
            if self._closed.is_set():
                raise LibraryClosedError("the library is closed")
            return fn()
        future: Future[T] = Future()
        with self._lock:
            if self._closed.is_set():
                raise LibraryClosedError("the library is closed")
            self._waiting.add(future)

        def on_ui_thread() -> None:
            if not future.set_running_or_notify_cancel():
                return
            if self._closed.is_set():
                future.set_exception(LibraryClosedError("the library is closed"))
                return
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self._poster.posted.emit(on_ui_thread)
        try:
            return future.result()
        except CancelledError:
            raise LibraryClosedError("the library is closed") from None
        finally:
            with self._lock:
                self._waiting.discard(future)

    def close(self) -> None:
        """Called on the UI thread, so no call is running: every waiting one is cancelled."""
        with self._lock:
            self._closed.set()
            waiting = list(self._waiting)
        for future in waiting:
            future.cancel()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()
