"""The thumbnail grid: a QListView in icon mode over the catalogue's rows.

Virtualised: the view asks only for the rows on screen, every cell has the same size (the layout
never measures a row), and it lays the rows out in batches, so a grid of 100,000 photos paints at
once. A cell whose thumbnail is not decoded yet paints a placeholder and asks the ImageLoader,
which decodes off the UI thread: scrolling never waits for a decode.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from photo_tagger.gui.cell_paint import draw_badge, draw_caption, fill_cell
from photo_tagger.gui.images import ImageLoader, read_scaled
from photo_tagger.gui.row_changes import common_head, runs_of
from photo_tagger.store.catalog import CID, PATH, THUMB, Row

if TYPE_CHECKING:
    from photo_tagger.gui.session import Session

CONTENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2
CAPTION_HEIGHT = 20
MAX_RUNS = 32  # more separate runs of rows going or coming than this: reset the view
FEW = 8  # photos looked for along the rows rather than by indexing every row
PADDING = 6

Index = QModelIndex | QPersistentModelIndex
Overlay = Callable[[QPainter, QRectF, str, QPalette], None]
Band = Callable[[QPainter, QRect, int, QPalette], None]  # paints a band above a cell (its row)


class PhotoGridModel(QAbstractListModel):
    """The rows the grid shows (the catalogue through the current filter), in order."""

    def __init__(self, loader: ImageLoader, thumbs_root: Path, cell: int = 160) -> None:
        super().__init__()
        self._loader = loader
        self._thumbs_root = Path(thumbs_root)
        self._session: Session | None = None  # until the library is open: no tags yet
        self._rows: list[Row] = []
        self._position: dict[str, int] | None = None
        self.badges: dict[str, str] = {}  # photo -> a word drawn on its thumbnail ("Best")
        self._cell = cell
        self._dpr = 1.0

    # --- rows ------------------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return self._rows

    def attach(self, session: Session) -> None:
        """The library is open: tooltips can show each photo's tags."""
        self._session = session

    def set_rows(self, rows: list[Row], reset: bool = False) -> None:
        """Show `rows`, telling the view which rows went and which came (not "everything
        changed"), so that the selection and the scroll position stay where they were; or, with
        `reset` (another filter, another order), as "everything changed" at once."""
        old = self._rows
        if rows == old:
            return
        if reset:  # looking for what came, went or moved would cost more than a new layout
            self.beginResetModel()
            self._rows, self._position = rows, None
            self.endResetModel()
            return
        # only the part between the common head and tail can differ
        start = common_head(old, rows)
        tail = common_head(old[start:][::-1], rows[start:][::-1])
        end_old, end_new = len(old) - tail, len(rows) - tail
        new_ids = {r[CID] for r in rows[start:end_new]}
        old_ids = {r[CID] for r in old[start:end_old]}
        kept_old = [r[CID] for r in old[start:end_old] if r[CID] in new_ids]
        kept_new = [r[CID] for r in rows[start:end_new] if r[CID] in old_ids]
        gone = runs_of(i for i in range(start, end_old) if old[i][CID] not in new_ids)
        came = runs_of(i for i in range(start, end_new) if rows[i][CID] not in old_ids)
        # Rows that moved (a file's date changed), or a change in many places (a new filter),
        # are told as "everything changed": one relayout instead of one per run.
        if kept_old != kept_new or len(gone) + len(came) > MAX_RUNS:
            self.beginResetModel()
            self._rows, self._position = rows, None
            self.endResetModel()
            return
        current = list(old)
        for first, last in reversed(gone):
            self.beginRemoveRows(QModelIndex(), first, last)
            del current[first : last + 1]
            self._rows, self._position = current, None
            self.endRemoveRows()
        for first, last in came:
            self.beginInsertRows(QModelIndex(), first, last)
            current[first:first] = rows[first : last + 1]
            self._rows, self._position = current, None
            self.endInsertRows()
        self._rows, self._position = rows, None  # the same photos may have new paths
        if end_new > start:
            self.dataChanged.emit(self.index(start), self.index(end_new - 1))

    def rows_of(self, photo_ids: list[str]) -> dict[str, int]:
        """The rows of these photos that are shown. A few are looked for along the rows (in C),
        not by indexing every row: after a new filter or order, a photo or two selected."""
        if self._position is not None or len(photo_ids) > FEW:
            return {p: r for p in photo_ids if (r := self.row_of(p)) is not None}
        ids = list(map(itemgetter(CID), self._rows))
        return {p: ids.index(p) for p in photo_ids if p in ids}

    def row_of(self, photo_id: str) -> int | None:
        if self._position is None:
            # built in C, without a Python step per row: 100,000 rows in a few ms
            ids = map(itemgetter(CID), self._rows)
            self._position = dict(zip(ids, range(len(self._rows)), strict=False))
        return self._position.get(photo_id)

    def content_id(self, row: int) -> str:
        return self._rows[row][CID]

    # --- thumbnails ------------------------------------------------------------------------

    def set_cell(self, cell: int, device_pixel_ratio: float) -> None:
        if (cell, device_pixel_ratio) == (self._cell, self._dpr):
            return
        self._cell, self._dpr = cell, device_pixel_ratio
        self._loader.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def thumbnail(self, row: Row) -> QImage | None:
        if not row[THUMB]:
            return None
        side = self._cell - 2 * PADDING
        turn = self._session.doc.rotation(row[CID]) if self._session else 0  # the user's
        key = ("thumb", row[CID], side, self._dpr, turn)
        path = self._thumbs_root / row[THUMB]
        box = QSize(side, side)
        return self._loader.image(key, partial(read_scaled, path, box, self._dpr, turn))

    # --- QAbstractListModel ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(row[PATH])
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(row)
        if role == CONTENT_ID_ROLE:
            return row[CID]
        if role == PATH_ROLE:
            return row[PATH]
        if role == Qt.ItemDataRole.ToolTipRole:
            facts = self._session.facts.get(row[CID]) if self._session else None
            tags = ", ".join(sorted(facts.tags)) if facts else ""
            keep = self._session.facts.duplicates.get(row[CID]) if self._session else None
            copies = ""
            if keep is not None:
                best = keep == row[CID]
                copies = "\nNear-duplicates: " + (
                    "the best of its group" if best else "an extra copy"
                )
            return row[PATH] + (f"\n{tags}" if tags else "") + copies
        return None


class PhotoDelegate(QStyledItemDelegate):
    """A thumbnail fitted into a square, its file name below; a placeholder until decoded."""

    def __init__(self, cell: int = 160, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cell = cell
        self.overlay: Overlay | None = None  # drawn over each thumbnail (its rating and flags)
        self.band: tuple[int, Band] | None = None  # a band above each cell: height, painter

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(self.cell, self.cell + CAPTION_HEIGHT + (self.band[0] if self.band else 0))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        if self.band is not None:
            height, band = self.band
            band(painter, QRect(rect.x(), rect.y(), rect.width(), height), index.row(), palette)
            rect = rect.adjusted(0, height, 0, 0)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        cell = QRectF(rect).adjusted(1, 1, -1, -1)
        if selected:
            fill_cell(painter, cell, palette.color(QPalette.ColorRole.Highlight))
        elif state & QStyle.StateFlag.State_MouseOver:
            fill_cell(painter, cell, palette.color(QPalette.ColorRole.Midlight))
        side = self.cell - 2 * PADDING
        box = QRectF(rect.x() + (rect.width() - side) / 2, rect.y() + PADDING, side, side)
        # The model is asked directly: index.data() hands back None for a thumbnail not
        # decoded yet, and PySide6 6.12 on Python 3.11 miscounts those (it frees None after
        # enough of them).
        model = index.model()
        row = index.row()
        if not isinstance(model, PhotoGridModel) or row >= model.rowCount():
            painter.restore()
            return
        shown = _draw_thumbnail(painter, box, model, model.rows[row], palette)
        if self.overlay is not None:
            self.overlay(painter, shown, model.rows[row][CID], palette)
        text_rect = QRect(
            rect.x() + PADDING, int(box.bottom()) + 2, rect.width() - 2 * PADDING, CAPTION_HEIGHT
        )
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        draw_caption(painter, text_rect, os.path.basename(model.rows[row][PATH]), palette, role)
        if state & QStyle.StateFlag.State_HasFocus:
            pen = QPen(palette.color(QPalette.ColorRole.Highlight))
            pen.setWidthF(1.5)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(cell, 6, 6)
        painter.restore()


def _draw_thumbnail(
    painter: QPainter, box: QRectF, model: PhotoGridModel, row: Row, palette: QPalette
) -> QRectF:
    """The photo's thumbnail fitted into `box` (bottom-aligned) with its badge, or a
    placeholder until it is decoded; returns where the thumbnail is (`box` for a placeholder)."""
    img = model.thumbnail(row)
    if isinstance(img, QImage) and not img.isNull():
        size = img.deviceIndependentSize()
        k = min(box.width() / size.width(), box.height() / size.height(), 1.0)
        w, h = size.width() * k, size.height() * k
        target = QRectF(box.center().x() - w / 2, box.bottom() - h, w, h)
        painter.drawImage(target, img)
        badge = model.badges.get(row[CID])
        if badge:
            draw_badge(painter, target, badge, palette)
        return target
    else:
        side = box.width()
        placeholder = QColor(palette.color(QPalette.ColorRole.Mid))
        placeholder.setAlpha(70)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(placeholder)
        painter.drawRoundedRect(box.adjusted(side * 0.08, side * 0.2, -side * 0.08, 0), 4, 4)
    return box


class PhotoGrid(QListView):
    """Icon mode, fixed cells, batched layout; arrows, Home/End, Page keys and Shift/Ctrl-click
    select as everywhere; Enter or a double click opens the photo (`activated`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(1000)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.setAcceptDrops(False)
        self.viewport().setAcceptDrops(False)  # drops go to the window, which adds them
        self.setMouseTracking(True)
        self.setSpacing(4)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self._delegate = PhotoDelegate(parent=self)
        self.setItemDelegate(self._delegate)
        self.set_cell(160)
        # thumbnails that arrive within 40 ms of each other cost one repaint (a scan brings them
        # one by one, and each repaint runs the delegate on every cell in view)
        self._thumbs_arrived = QTimer(self, singleShot=True, interval=40)
        self._thumbs_arrived.timeout.connect(self.viewport().update)

    def showEvent(self, event: QShowEvent) -> None:
        # thumbnails are decoded for the screen's pixels (sharp on high-DPI screens); the window
        # calls screen_changed when it moves to a screen of another density
        self.screen_changed()
        super().showEvent(event)

    def screen_changed(self) -> None:
        model = self.model()
        if isinstance(model, PhotoGridModel):
            model.set_cell(self.cell, self.devicePixelRatioF())

    def follow(self, loader: ImageLoader) -> None:
        """Repaint when a thumbnail arrives. The cells on screen are the only ones that asked,
        and the delegate reads the cache: no need to find the row among 100,000."""
        loader.loaded.connect(self._on_loaded)

    def _on_loaded(self, key: object) -> None:
        if isinstance(key, tuple) and key[0] == "thumb" and not self._thumbs_arrived.isActive():
            self._thumbs_arrived.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """As many columns as fit, sharing the width left over: no empty band on the right."""
        step, width = self.cell + 8, self.viewport().width() - 2 * self.spacing()
        if not self.verticalScrollBar().isVisible():  # the layout keeps room for it
            width -= self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        columns = max(1, width // step)
        band = self._delegate.band[0] if self._delegate.band else 0
        grid = QSize(max(step, width // columns), self.cell + CAPTION_HEIGHT + 8 + band)
        if grid != self.gridSize():
            self.setGridSize(grid)

    def set_cell(self, cell: int) -> None:
        self._delegate.cell = cell
        self._fit_columns()
        model = self.model()
        if isinstance(model, PhotoGridModel):
            model.set_cell(cell, self.devicePixelRatioF())
        self.scheduleDelayedItemsLayout()

    def set_band(self, band: tuple[int, Band] | None) -> None:
        """Paint `band` (height, painter(painter, rect, row, palette)) above every cell; None:
        no band."""
        self._delegate.band = band
        self.set_cell(self.cell)

    @property
    def cell(self) -> int:
        return self._delegate.cell

    def set_overlay(self, overlay: Overlay) -> None:
        """Draw `overlay(painter, thumbnail rect, photo id, palette)` over every thumbnail."""
        self._delegate.overlay = overlay

    def selected_ids(self) -> list[str]:
        model = self.model()
        if not isinstance(model, PhotoGridModel):
            return []
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        return [model.content_id(r) for r in rows if r < model.rowCount()]

    def selected_count(self) -> int:
        """How many photos are selected (without listing them: cheap with 100,000)."""
        selection = self.selectionModel().selection()
        return sum(selection.at(i).height() for i in range(selection.count()))

    def select_ids(self, photo_ids: list[str]) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        model = self.model()
        if not isinstance(model, PhotoGridModel):
            return
        selection = QItemSelection()
        rows = model.rows_of(photo_ids)
        for at in rows.values():
            selection.select(model.index(at), model.index(at))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(selection, flags)
        if photo_ids:
            first = rows.get(photo_ids[0])
            if first is not None:
                self.selectionModel().setCurrentIndex(
                    model.index(first), QItemSelectionModel.SelectionFlag.NoUpdate
                )
