"""The timeline: a thin bar of years and months on the right of the grid, as in Apple Photos and
Immich. Clicking or dragging on it jumps the grid to that month; while the pointer is on it, a
label says which month it is at.

It reads the grid's rows as they are shown: when they are in the order photos were taken (newest
or oldest first, store/catalog.py), it marks where each month starts; in any other order (the
near-duplicate groups, another sort) it hides, as a scrubber of months would lie there. The bar
maps the grid's rows evenly to its height, as the grid lays them out (every cell the same size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QBoxLayout, QHBoxLayout, QLabel, QWidget

from photo_tagger.gui.grid import PhotoGrid, PhotoGridModel
from photo_tagger.store.catalog import TAKEN, Row

if TYPE_CHECKING:
    from photo_tagger.gui.window import MainWindow

WIDTH = 56
REFRESH_MS = 80  # many row changes in a row cost one pass over the rows
MARGIN = 8  # above the first month and below the last


@dataclass(frozen=True)
class Month:
    key: str  # "2024-06"
    first: int  # the grid's row where it starts
    count: int

    @property
    def year(self) -> str:
        return self.key[:4]


def months_of(rows: list[Row]) -> list[Month] | None:
    """The months of `rows`, in their order; None when the rows are not in the order photos were
    taken (newest or oldest first). A pass in C over the rows, then a binary search a month:
    a few milliseconds for 100,000 photos."""
    try:
        taken = [r[TAKEN] for r in rows]
    except IndexError:  # rows that do not say when they were taken
        return None
    sample = taken[:: max(1, len(taken) // 512)]  # rows in another order are told at once
    if not (_ordered(sample, True) or _ordered(sample, False)):
        return None
    if not (_ordered(taken, True) or _ordered(taken, False)):
        return None
    months: list[Month] = []
    first, n = 0, len(taken)
    while first < n:
        key = taken[first][:7]
        # the first row past this month: "2024-06-..." >= "2024-06" > "2024-05-..."
        lo, hi = first + 1, n
        while lo < hi:
            mid = (lo + hi) // 2
            if taken[mid][:7] == key:
                lo = mid + 1
            else:
                hi = mid
        months.append(Month(key, first, lo - first))
        first = lo
    return months


def _ordered(values: list[str], newest_first: bool) -> bool:
    return values == sorted(values, reverse=newest_first)  # sorted input: one pass in C


def month_name(key: str) -> str:
    """ "June 2024" for "2024-06", in the user's language."""
    from PySide6.QtCore import QLocale

    year, _, month = key.partition("-")
    if not month.isdigit() or not 1 <= int(month) <= 12:
        return year
    return f"{QLocale().standaloneMonthName(int(month))} {year}"


class Timeline(QWidget):
    """The bar beside `grid`, following whichever model the grid shows."""

    def __init__(self, grid: PhotoGrid, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = grid
        self._model: QAbstractItemModel | None = None
        self.months: list[Month] = []
        self._rows = 0
        self._hover: Month | None = None
        self.enabled_by_user = True
        self.setFixedWidth(WIDTH)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.bubble = QLabel(parent)  # the month under the pointer, to the left of the bar
        self.bubble.setObjectName("timelineMonth")
        self.bubble.setAutoFillBackground(True)
        self.bubble.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.bubble.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.bubble.setMargin(6)
        self.bubble.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.hide()  # until the rows say they are in time order
        grid.viewport().installEventFilter(self)  # a new model shows with a paint of the grid
        grid.verticalScrollBar().valueChanged.connect(lambda _: self.update())
        self._follow_model()

    # --- the rows ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._grid.model() is not self._model:
            self._follow_model()  # the grid shows another model (another library)
        return False

    def _follow_model(self) -> None:
        if self._model is not None:
            for signal in self._signals(self._model):
                signal.disconnect(self._timer.start)
        self._model = self._grid.model()
        if self._model is not None:
            for signal in self._signals(self._model):
                signal.connect(self._timer.start)
        self._timer.start()

    @staticmethod
    def _signals(model: QAbstractItemModel) -> tuple:  # type: ignore[type-arg]
        return (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged)

    def refresh(self) -> None:
        """Read the grid's rows again: their months, and whether they are in time order."""
        model = self._grid.model()
        months = months_of(model.rows) if isinstance(model, PhotoGridModel) else None
        self.months = months or []
        self._rows = model.rowCount() if isinstance(model, PhotoGridModel) else 0
        self.setVisible(self.enabled_by_user and len(self.months) > 1)
        self.bubble.hide()  # other rows: the month named while dragging is no longer theirs
        self.update()

    def set_enabled_by_user(self, on: bool) -> None:
        """View › Timeline: the user's wish; it still hides when the order is not by time."""
        self.enabled_by_user = on
        self.refresh()

    # --- where rows are on the bar -------------------------------------------------------------

    def _span(self) -> tuple[float, float]:
        return MARGIN, max(1.0, self.height() - 2 * MARGIN)

    def y_of(self, row: int) -> float:
        top, height = self._span()
        return top + height * row / max(1, self._rows)

    def month_at(self, y: float) -> Month | None:
        if not self.months:
            return None
        top, height = self._span()
        row = int((y - top) / height * self._rows)
        row = max(0, min(self._rows - 1, row))
        lo, hi = 0, len(self.months) - 1
        while lo < hi:  # the last month starting at or before `row`
            mid = (lo + hi + 1) // 2
            if self.months[mid].first <= row:
                lo = mid
            else:
                hi = mid - 1
        return self.months[lo]

    def jump_to(self, month: Month) -> None:
        """Scroll the grid so that the month's first photo is in its top row."""
        model = self._grid.model()
        if model is None or month.first >= model.rowCount():
            return
        self._grid.scrollTo(model.index(month.first, 0), QAbstractItemView.ScrollHint.PositionAtTop)

    # --- the user ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pick(event.position().y(), jump=True)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        dragging = bool(event.buttons() & Qt.MouseButton.LeftButton)
        self._pick(event.position().y(), jump=dragging)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pick(event.position().y(), jump=False)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.bubble.hide()
        self.update()

    def _pick(self, y: float, jump: bool) -> None:
        month = self.month_at(y)
        if month is None:
            return
        if jump:
            self.jump_to(month)
        if month != self._hover:
            self._hover = month
            self.bubble.setText(month_name(month.key))
            self.bubble.adjustSize()
            self.update()
        self._place_bubble(y)

    def _place_bubble(self, y: float) -> None:
        parent = self.bubble.parentWidget()
        if parent is None:
            return
        at = self.mapTo(parent, QPoint(0, int(y)))
        x = at.x() - self.bubble.width() - 4
        top = max(
            0, min(parent.height() - self.bubble.height(), at.y() - self.bubble.height() // 2)
        )
        self.bubble.move(x, top)
        self.bubble.show()
        self.bubble.raise_()

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        metrics = painter.fontMetrics()
        last_label = -1e9
        for i, month in enumerate(self.months):
            y = self.y_of(month.first)
            new_year = i == 0 or month.year != self.months[i - 1].year
            if new_year and y - last_label >= metrics.height():
                painter.setPen(text)
                box = QRectF(0, y - metrics.height() / 2, self.width() - 16, metrics.height())
                box.moveTop(max(0.0, min(self.height() - metrics.height(), box.top())))
                painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 month.year)  # fmt: skip
                last_label = y
            elif y - last_label >= 4:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(dim)
                painter.drawEllipse(QRectF(self.width() - 10, y - 1.5, 3, 3))
        self._paint_position(painter, palette)
        painter.end()

    def _paint_position(self, painter: QPainter, palette: QPalette) -> None:
        """Where the grid is: its first visible row, and the month under the pointer."""
        bar = self._grid.verticalScrollBar()
        share = bar.value() / max(1, bar.maximum() + bar.pageStep())
        top, height = self._span()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        at = top + height * share
        painter.drawRoundedRect(QRectF(self.width() - 16, at - 1.5, 14, 3), 1.5, 1.5)
        if self._hover is not None:
            y = self.y_of(self._hover.first)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawEllipse(QRectF(self.width() - 12, y - 3, 6, 6))


def install(window: MainWindow) -> Timeline:
    """Put the timeline on the right of the window's grid, in the grid's own page (the grid keeps
    its parent: other parts tell the page by it)."""
    grid = window.grid
    page = grid.parentWidget()
    layout = page.layout() if page is not None else None
    timeline = Timeline(grid, page)
    if isinstance(layout, QBoxLayout):
        at = layout.indexOf(grid)
        stretch = layout.stretch(at)
        layout.removeWidget(grid)
        row = QHBoxLayout()
        row.setSpacing(0)
        row.addWidget(grid, 1)
        row.addWidget(timeline)
        layout.insertLayout(at, row, stretch)
    return timeline
