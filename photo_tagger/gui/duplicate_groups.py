"""The near-duplicates view's groups: a band above each group's photos in the grid, saying which
group it is, how many photos it holds, which one the library keeps and why ("Group 3 · 4 photos ·
kept: IMG_0412.jpg — the most pixels, then the largest file").

The grid stays one virtualised list of equal cells: each cell paints its share of its group's
band (the part above it), so a band runs over the group's cells in each line of the grid, starts
with the header where the group starts and says "continued" where the group goes on in the next
line. Only the cells on screen paint, and where each group starts is worked out once per change
of the rows shown (one pass over them). Why a photo is kept is read off the UI thread
(app/duplicate_reasons.py); until it comes the header names the photo kept alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette

from photo_tagger.gui.facts import DUPLICATES
from photo_tagger.store.catalog import CID, Row

if TYPE_CHECKING:
    from photo_tagger.gui.window import MainWindow


@dataclass
class Groups:
    """Where each group starts among the rows shown, and how many photos it holds."""

    rows: Sequence[Row] = ()
    start: dict[str, int] = field(default_factory=dict)  # photo kept -> its group's first row
    size: dict[str, int] = field(default_factory=dict)
    number: dict[str, int] = field(default_factory=dict)  # 1, 2, ... in the order shown
    keep_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Sequence[Row], keep_of: dict[str, str]) -> Groups:
        """Groups of `rows` (which come group by group, as `best_first` sorts them)."""
        groups = cls(rows, keep_of=keep_of)
        for i, row in enumerate(rows):
            kept = keep_of.get(row[CID], row[CID])
            if kept not in groups.start:
                groups.start[kept] = i
                groups.number[kept] = len(groups.number) + 1
            groups.size[kept] = groups.size.get(kept, 0) + 1
        return groups

    def members(self) -> dict[str, list[str]]:
        """Photo kept -> its group's photos, the one kept first."""
        return {
            kept: [r[CID] for r in self.rows[first : first + self.size[kept]]]
            for kept, first in self.start.items()
        }


class DuplicateGroups(QObject):
    """Paints the groups' bands while the grid shows the near-duplicates."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._grid = window.grid
        self._runner = window.services.images_runner
        self.on = False
        self.groups = Groups()
        self.reasons: dict[str, str] = {}  # photo kept -> why
        self._asked: dict[str, list[str]] = {}
        window.content.rowsShown.connect(self._on_rows_shown)

    def _on_rows_shown(self, kind: str) -> None:
        on = kind == DUPLICATES
        if on != self.on:
            self.on = on
            height = 2 * self._grid.fontMetrics().height() + 12  # two lines of text
            self._grid.set_band((height, self.paint) if on else None)
        if on:
            self._update()

    def _update(self) -> None:
        """The groups of the rows shown; why each keeps its photo is asked when they changed."""
        model, session = self._window.grid_model, self._window.session
        if model is None or session is None:
            self.groups = Groups()
            return
        if model.rows is self.groups.rows:
            return
        self.groups = Groups.of(model.rows, session.facts.duplicates)
        members = self.groups.members()
        if members != self._asked:
            self._asked = members
            from photo_tagger.app.duplicate_reasons import keep_reasons

            task = partial(keep_reasons, session.index_file, members)
            self._runner.run(task, partial(self._on_reasons, members), lambda error: None)

    def _on_reasons(self, asked: dict[str, list[str]], reasons: dict[str, str]) -> None:
        if asked == self._asked:
            self.reasons = reasons
            self._grid.viewport().update()

    def header(self, kept: str) -> str:
        """What the band says where the group of the photo `kept` starts, on one line."""
        title, reason = self.header_lines(kept)
        return f"{title} — {reason}" if reason else title

    def header_lines(self, kept: str) -> tuple[str, str | None]:
        """The band's two lines where the group starts: which group, how many photos and which
        is kept; then why (None until known)."""
        size, number = self.groups.size.get(kept, 1), self.groups.number.get(kept, 0)
        path = self._window.session.path_of(kept) if self._window.session else None
        photos = "photo" if size == 1 else "photos"
        title = f"Group {number} · {size} {photos} · kept: {os.path.basename(path or kept)}"
        return title, self.reasons.get(kept)

    def paint(self, painter: QPainter, rect: QRect, row: int, palette: QPalette) -> None:
        """This cell's share of its group's band: the band runs over the group's cells in this
        line of the grid; its text is painted whole by each cell, clipped to the cell's share."""
        groups, grid = self.groups, self._grid
        model = self._window.grid_model
        if model is None or model.rows is not groups.rows or row >= len(groups.rows):
            return
        cid = groups.rows[row][CID]
        kept = groups.keep_of.get(cid, cid)
        at = row - groups.start.get(kept, row)  # its place in its group
        step = max(1, grid.gridSize().width())
        first_x = grid.visualRect(model.index(0)).x()
        column = round((rect.x() - first_x) / step)
        columns = max(1, (grid.viewport().width() - first_x - rect.width()) // step + 1)
        before = min(at, column)  # the group's cells before this one in this line
        after = min(groups.size.get(kept, 1) - 1 - at, columns - 1 - column)
        band = QRectF(
            rect.x() - before * step + 3,
            rect.y() + 2,
            rect.width() + (before + after) * step - 6,
            rect.height() - 4,
        )
        painter.save()
        gap = step - rect.width()
        painter.setClipRect(rect.adjusted(-(gap // 2), 0, gap - gap // 2, 0))
        tint = QColor(palette.color(QPalette.ColorRole.Highlight))
        tint.setAlpha(60 if groups.number.get(kept, 0) % 2 else 35)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(tint)
        painter.drawRoundedRect(band, 5, 5)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        inner = band.adjusted(8, 3, -8, -3)
        if at == before:  # the group starts in this line
            title, reason = self.header_lines(kept)
            top, bottom = inner.adjusted(0, 0, 0, -inner.height() / 2), inner
            _write(painter, top if reason else inner, title, bold=True)
            if reason:
                _write(painter, bottom.adjusted(0, inner.height() / 2, 0, 0), f"Why: {reason}")
        else:
            _write(painter, inner, f"Group {groups.number.get(kept, 0)}, continued")
        painter.restore()

    def header_at(self, row: int) -> str | None:
        """The header of the group that starts at `row` (None: none starts there)."""
        for kept, first in self.groups.start.items():
            if first == row:
                return self.header(kept)
        return None

    def group_of(self, photo_id: str) -> list[str]:
        """The photos of `photo_id`'s group shown, the one kept first ([] in none)."""
        kept = self.groups.keep_of.get(photo_id)
        if kept is None or kept not in self.groups.start:
            return []
        first = self.groups.start[kept]
        return [r[CID] for r in self.groups.rows[first : first + self.groups.size[kept]]]


def _write(painter: QPainter, rect: QRectF, text: str, bold: bool = False) -> None:
    """One line of text in `rect`, cut short with an ellipsis where it does not fit."""
    font = QFont(painter.font())
    font.setBold(bold)
    painter.setFont(font)
    shown = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()))
    painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
