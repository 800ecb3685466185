"""The Tags panel's list: the tags as a tree, root > child ("Places" > "Portugal" > "Lisbon"), as
digiKam shows them, so that each row is short and two tags that end alike ("Places/…/Lisbon",
"Events/…/2024-06-12 Lisbon") never read the same. A row that only groups others is not a tag of
the photos and cannot be selected; every row's tooltip gives the whole tag. Groups the user
folds stay folded while they look through photos."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
)

from photo_tagger.gui.tag_rows import TagRow

TAG, SOURCE, CONFIDENCE, COUNT = range(4)
INDENT = 14  # px a level: three levels deep still leaves room for the name
SOURCE_WIDTH = 80  # at most ("suggested" in full); "photo, suggested" ends in "…" if narrow
SOURCE_MIN = 44  # what the Source column keeps when the tags' names need its room
TEXT_MARGIN = 8  # px around a cell's text


class _ElideRight(QStyledItemDelegate):
    """The columns after the tag end in "…" when narrow: their start says the most."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight  # type: ignore[attr-defined]


class TagTree(QTreeWidget):
    removeRequested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._folded: set[str] = set()
        self._names_need = 0  # px the Tag column needs for every name in full
        self._source_natural = 0  # px the Source column would like
        self.setColumnCount(4)
        self.setHeaderLabels(["Tag", "Source", "Score", "Photos"])
        self.headerItem().setToolTip(CONFIDENCE, "How sure the model is (1.00: certain)")
        self.headerItem().setToolTip(COUNT, "On how many of the selected photos")
        self.setIndentation(INDENT)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self._sort()
        self.sortByColumn(TAG, Qt.SortOrder.AscendingOrder)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the tooltip has the whole name
        header = self.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(TAG, QHeaderView.ResizeMode.Stretch)
        for col in (CONFIDENCE, COUNT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.Interactive)
        self._elide_right = _ElideRight(self)
        self.setItemDelegateForColumn(SOURCE, self._elide_right)
        self.itemCollapsed.connect(lambda item: self._folded.add(_path(item)))
        self.itemExpanded.connect(lambda item: self._folded.discard(_path(item)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Backspace:
            self.removeRequested.emit()
            return
        super().keyPressEvent(event)

    def show_rows(self, rows: dict[str, TagRow], selected: int) -> None:
        """List `rows` as a tree; `selected` photos (the Photos column shows with several)."""
        self.setSortingEnabled(False)
        self.clear()
        nodes: dict[tuple[str, ...], QTreeWidgetItem] = {}
        for row in sorted(rows.values(), key=lambda r: r.parts):
            for depth in range(1, len(row.parts) + 1):
                key = row.parts[:depth]
                if key not in nodes:
                    nodes[key] = self._node(key, nodes.get(key[:-1]))
            _fill(nodes[row.parts], row, selected)
        for item in nodes.values():
            item.setExpanded(_path(item) not in self._folded)
        self.setColumnHidden(COUNT, selected <= 1)
        metrics = self.fontMetrics()
        self._names_need = (
            max(
                (
                    self.indentation() * _depth(i) + metrics.horizontalAdvance(i.text(TAG))
                    for i in nodes.values()
                ),
                default=0,
            )
            + self.indentation()
            + TEXT_MARGIN
        )  # the first level's branch arrow
        self.resizeColumnToContents(SOURCE)
        self._source_natural = min(self.columnWidth(SOURCE), SOURCE_WIDTH)
        self._fit()
        self._sort()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The tags' names come first: the Source column (whose tooltip says it all) gives up
        its room, down to a few letters, before a name is shortened."""
        header = self.header()
        others = sum(
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in (CONFIDENCE, COUNT)
            if not self.isColumnHidden(c)
        )
        spare = self.viewport().width() - others - self._names_need
        self.setColumnWidth(SOURCE, max(SOURCE_MIN, min(self._source_natural, spare)))

    def _sort(self) -> None:
        """Sorted, by a click on a column's title too; without the sort arrow, which would take
        its room in every column's width."""
        self.setSortingEnabled(True)
        self.header().setSortIndicatorShown(False)

    def _node(self, key: tuple[str, ...], parent: QTreeWidgetItem | None) -> QTreeWidgetItem:
        """A row that groups others (a tag's parent the photos do not have themselves)."""
        item = QTreeWidgetItem([key[-1]])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setToolTip(TAG, "/".join(key))
        if parent is None:
            self.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def selected_tags(self) -> list[str]:
        tags = (i.data(TAG, Qt.ItemDataRole.UserRole) for i in self.selectedItems())
        return [t for t in tags if t]


def _fill(item: QTreeWidgetItem, row: TagRow, selected: int) -> None:
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setData(TAG, Qt.ItemDataRole.UserRole, row.tag)
    item.setText(SOURCE, row.source)
    item.setText(CONFIDENCE, row.score)
    item.setTextAlignment(CONFIDENCE, Qt.AlignmentFlag.AlignRight)
    if selected > 1:
        item.setText(COUNT, f"{row.photos}/{selected}")
    tip = row.tooltip(selected)
    for col in (TAG, SOURCE, CONFIDENCE, COUNT):
        item.setToolTip(col, tip)


def _depth(item: QTreeWidgetItem) -> int:
    depth, node = 0, item.parent()
    while node is not None:
        depth, node = depth + 1, node.parent()
    return depth


def _path(item: QTreeWidgetItem) -> str:
    parts = []
    node: QTreeWidgetItem | None = item
    while node is not None:
        parts.append(node.text(TAG))
        node = node.parent()
    return "/".join(reversed(parts))
