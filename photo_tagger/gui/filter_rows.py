"""How the filter tree draws a node, "Lisbon  (12)": the count always whole at the right edge, the
name cut short before it with "…" when the panel is narrow (the whole name is in its tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

GAP = 6  # pixels between the name and its count

Index = QModelIndex | QPersistentModelIndex


def split_count(text: str) -> tuple[str, str]:
    """A node's text as (name, count): "Lisbon  (12)" -> ("Lisbon", "(12)"); ("Tags", "")."""
    name, sep, count = text.rpartition("  (")
    if sep and name and count.endswith(")"):
        return name, f"({count}"
    return text, ""


def fit(text: str, metrics: QFontMetrics, width: int) -> tuple[str, str]:
    """What fits in `width` pixels: the name, elided if need be, and the whole count."""
    name, count = split_count(text)
    room = width - (metrics.horizontalAdvance(count) + GAP if count else 0)
    return metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(room, 0)), count


class CountDelegate(QStyledItemDelegate):
    """Paints the row as the style does (selection, focus, hover), then its name and count."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is None:
            return super().paint(painter, option, index)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = _text_rect(opt)
        metrics = QFontMetrics(opt.font)  # type: ignore[attr-defined]
        name, count = fit(text, metrics, rect.width())
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette = opt.palette  # type: ignore[attr-defined]
        role = palette.ColorRole.HighlightedText if selected else palette.ColorRole.Text
        if not opt.state & QStyle.StateFlag.State_Enabled:  # type: ignore[attr-defined]
            role = palette.ColorRole.PlaceholderText
        painter.save()
        painter.setFont(opt.font)  # type: ignore[attr-defined]
        painter.setPen(palette.color(role))
        middle = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, middle | Qt.AlignmentFlag.AlignLeft, name)
        if count:
            painter.drawText(rect, middle | Qt.AlignmentFlag.AlignRight, count)
        painter.restore()
        return None

    def text_rect(self, option: QStyleOptionViewItem, index: Index) -> QRect:
        """Where the row's text goes (the row less its icon and margins)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        return _text_rect(opt)


def _text_rect(opt: QStyleOptionViewItem) -> QRect:
    widget = opt.widget  # type: ignore[attr-defined]
    rect = widget.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
    return rect.adjusted(2, 0, -2, 0)


def leaf_text(leaf: str) -> str:
    """A month's node ("2024-06") by its name in the user's language."""
    if len(leaf) == 7 and leaf[4] == "-" and leaf[:4].isdigit() and leaf[5:].isdigit():
        month = int(leaf[5:])
        if 1 <= month <= 12:
            return QLocale().monthName(month, QLocale.FormatType.LongFormat)
    return leaf


def is_escape(event: QEvent) -> bool:
    """Esc pressed alone."""
    return (
        event.type() == QEvent.Type.KeyPress
        and isinstance(event, QKeyEvent)
        and event.key() == Qt.Key.Key_Escape
        and event.modifiers() == Qt.KeyboardModifier.NoModifier
    )
