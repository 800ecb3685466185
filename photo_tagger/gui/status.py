"""Background work in the status bar: what runs, photos done, rate, time left; pause and cancel.

The time left is shown once it means something (a few photos and seconds into the work) and
smoothed, so that it counts down rather than jumps.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from photo_tagger.gui.jobs import JobProgress, JobQueue
from photo_tagger.words import count


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds + 0.5)
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


class TimeLeft:
    """The time a job has left, from the photos done since it began counting: None until
    MIN_PHOTOS photos and MIN_SECONDS seconds have gone by (the first photos say little: models
    loading, files already known), then each new estimate moves the last one, counted down by
    the time since, part of the way (SMOOTHING)."""

    MIN_PHOTOS = 5
    MIN_SECONDS = 5.0
    SMOOTHING = 0.25

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self._start: float | None = None
        self._done0 = 0
        self._shown: float | None = None
        self._at = 0.0
        self.rate = 0.0  # photos per second since counting began, once meaningful

    def update(self, done: int, total: int) -> float | None:
        now = self.clock()
        if self._start is None or done < self._done0:
            self.reset()
            self._start, self._done0 = now, done
            return None
        elapsed, counted = now - self._start, done - self._done0
        if counted < self.MIN_PHOTOS or elapsed < self.MIN_SECONDS:
            return None
        self.rate = counted / elapsed
        estimate = max(0, total - done) / self.rate
        if self._shown is None:
            self._shown = estimate
        else:
            counted_down = max(0.0, self._shown - (now - self._at))
            self._shown = counted_down + self.SMOOTHING * (estimate - counted_down)
        self._at = now
        return self._shown


def progress_text(p: JobProgress, paused: bool, left: float | None = None, rate: float = 0) -> str:
    """`left`: the seconds left, None while they cannot be told yet."""
    if p.status:
        return f"{p.title}: {p.status}"
    text = f"{p.title}: {p.done}/{count(p.total, 'photo')}"
    if paused:
        return text + " · paused"
    if left is not None and rate > 0:
        text += f" · {rate:.1f} photos/s · {format_eta(left)} left"
    elif p.done < p.total:
        text += " · working out the time left"
    return text


class JobStatus(QWidget):
    """Hidden while no job runs."""

    def __init__(self, jobs: JobQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._last: JobProgress | None = None
        self.time_left = TimeLeft()
        self._left: float | None = None
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(jobs.set_paused)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip(
            "Stop; the photos done so far are kept, with their places, dates and events"
        )
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.bar, self.pause_button, self.cancel_button):
            layout.addWidget(w)
        jobs.started.connect(self._on_started)
        jobs.progress.connect(self._on_progress)
        jobs.idle.connect(self._on_idle)
        jobs.pausedChanged.connect(self._on_paused)
        self.setVisible(False)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)  # the job finishes what it kept, then ends
        self._jobs.cancel()

    def _on_started(self, title: str) -> None:
        self.setVisible(True)
        self.time_left.reset()
        self._left = None
        self.cancel_button.setEnabled(True)
        self._on_progress(JobProgress(title, "starting…", 0, 0, 0.0, None))

    def _on_progress(self, p: JobProgress) -> None:
        self._last = p
        if p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.done)
        else:
            self.bar.setRange(0, 0)  # busy, not counting
        if not p.status and not self._jobs.paused:
            self._left = self.time_left.update(p.done, p.total)
        self._show(p)

    def _show(self, p: JobProgress) -> None:
        paused = self._jobs.paused
        self.label.setText(progress_text(p, paused, self._left, self.time_left.rate))

    def _on_paused(self, paused: bool) -> None:
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.blockSignals(False)
        self.pause_button.setText("Resume" if paused else "Pause")
        if paused:
            self.time_left.reset()  # the time paused says nothing of the rate
            self._left = None
        if self._last is not None:
            self._show(self._last)

    def _on_idle(self) -> None:
        self.setVisible(False)
        self._last = None


class ProblemsButton(QToolButton):
    """What the last job could not do (files a scan skipped, sidecars that could not be written,
    records of the library that could not be read), kept in the status bar until the user has
    looked: a click lists them, with a button that puts them right where there is a way."""

    LIMIT = 200  # lines listed; the count says how many more

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoRaise(True)
        self.title = ""
        self.lines: list[str] = []
        self.summary = ""
        self.fix: tuple[str, Callable[[], object]] | None = None
        self.clicked.connect(self.show_list)
        self.setVisible(False)

    def show_problems(
        self,
        title: str,
        lines: list[str],
        summary: str = "",
        fix: tuple[str, Callable[[], object]] | None = None,
    ) -> None:
        """`summary`: what the list is, in a sentence; `fix`: (a button's label, what it does)
        offered beside the list."""
        if not lines:
            return
        self.title, self.lines, self.summary, self.fix = title, lines, summary, fix
        n = len(lines)
        self.setText(f"⚠ {count(n, 'problem')}")
        self.setToolTip(f"{title}: click to see what could not be done")
        self.setVisible(True)

    def details(self) -> str:
        shown = self.lines[: self.LIMIT]
        more = len(self.lines) - len(shown)
        return "\n".join(shown) + (f"\n… and {more} more" if more else "")

    def show_list(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self.window())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.title)
        box.setText(self.summary or f"{self.title}: {len(self.lines)} could not be done.")
        box.setDetailedText(self.details())
        if self.fix is not None:
            label, fix = self.fix
            box.addButton(label, QMessageBox.ButtonRole.AcceptRole).clicked.connect(fix)
            box.addButton(QMessageBox.StandardButton.Close)
        box.open()  # not modal to the event loop: the window goes on
        self.setVisible(False)
