"""The filter tree beside the grid: all photos, untagged, low confidence, refined in the cloud (once
any is), the tag hierarchy, people and dates, each with how many photos it holds. Picking a node
filters the grid."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QLocale, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QVBoxLayout, QWidget

from photo_tagger.gui.facts import (
    ALL,
    CLOUD,
    DATE,
    LOW,
    PERSON,
    TAG,
    UNTAGGED,
    Filter,
    date_counts,
)
from photo_tagger.gui.session import LibrarySession

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
# Every node stores its key (a string) and the panel maps keys to filters: asking an item for a
# role it does not hold hands back None, which PySide6 6.12 on Python 3.11 miscounts (it frees
# None after enough of them), so no role is ever read that an item may lack.
REBUILD_EVERY = 2.0  # seconds


@dataclass(frozen=True)
class Node:
    parent: str  # the parent node's key ("" at the top)
    key: str
    text: str
    filter: Filter | None  # None: a section heading
    tooltip: str = ""


def _item(text: str, flt: Filter | None, key: str) -> QStandardItem:
    """A node; its filter is looked up by key (`FilterPanel._filters`)."""
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(key, KEY_ROLE)
    if flt is None:  # a section heading
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setSelectable(False)
    return item


class FilterPanel(QWidget):
    filterChanged = Signal(object)  # Filter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: LibrarySession | None = None
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self._current_key = "all"
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.rebuild)
        self._expanded: set[str] = {"tags", "people"}
        self._filters: dict[str, Filter] = {}  # node key -> what picking it shows
        self._items: dict[str, QStandardItem] = {}
        self._structure: list[tuple[str, str]] = []
        self._last_rebuild = 0.0
        self._dated_rows: list | None = None  # type: ignore[type-arg]
        self._date_counts: Counter[str] = Counter()

    def set_session(self, session: LibrarySession | None) -> None:
        if self._session is not None:
            for sig in (
                self._session.factsChanged,
                self._session.peopleChanged,
                self._session.catalogChanged,
            ):
                sig.disconnect(self.schedule_rebuild)
        self._session = session
        if session is not None:
            session.factsChanged.connect(self.schedule_rebuild)
            session.peopleChanged.connect(self.schedule_rebuild)
            session.catalogChanged.connect(self.schedule_rebuild)
        self._current_key = "all"
        self.rebuild() if session is None else self.schedule_rebuild()

    def schedule_rebuild(self, *_: object) -> None:
        """Rebuild soon: a moment after the last change, and not more often than every
        REBUILD_EVERY seconds while changes keep coming (a scan, the first read of a library)."""
        if self._timer.isActive():
            return
        wait = max(0.3, REBUILD_EVERY - (time.monotonic() - self._last_rebuild))
        self._timer.start(int(wait * 1000))

    def current_filter(self) -> Filter:
        index = self.tree.currentIndex()
        key = str(index.data(KEY_ROLE)) if index.isValid() else ""
        return self._filters.get(key, Filter())

    def select(self, kind: str, value: str = "") -> bool:
        """Pick the node for this filter (as a click would); False if there is none."""
        self.rebuild()
        key = _key(kind, value)
        index = self._find(key)
        if index is None:
            return False
        self.tree.scrollTo(index)
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    def _find(self, key: str) -> QModelIndex | None:
        return self._indexes().get(key)

    def _indexes(self) -> dict[str, QModelIndex]:
        out: dict[str, QModelIndex] = {}

        def walk(parent: QModelIndex) -> None:
            for r in range(self.model.rowCount(parent)):
                index = self.model.index(r, 0, parent)
                out[str(index.data(KEY_ROLE))] = index
                walk(index)

        walk(QModelIndex())
        return out

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        key = str(current.data(KEY_ROLE)) if current.isValid() else ""
        flt = self._filters.get(key)
        if flt is not None:
            self._current_key = key
            self.filterChanged.emit(flt)

    def rebuild(self) -> None:
        """Bring the tree up to date. When only counts changed (a scan, facts being read), the
        nodes' texts are updated in place; the tree is rebuilt only when nodes come or go."""
        self._timer.stop()
        self._last_rebuild = time.monotonic()
        session = self._session
        nodes = self._nodes(session) if session is not None else []
        structure = [(n.parent, n.key) for n in nodes]
        if structure == self._structure and self._items:
            for n in nodes:
                item = self._items[n.key]
                if item.text() != n.text:
                    item.setText(n.text)
            return
        self._remember_expanded()
        self.tree.selectionModel().blockSignals(True)
        self.model.clear()
        self._filters.clear()
        self._items = {}
        root = self.model.invisibleRootItem()
        for n in nodes:
            item = _item(n.text, n.filter, n.key)
            if n.tooltip:
                item.setToolTip(n.tooltip)
            if n.filter is not None:
                self._filters[n.key] = n.filter
            self._items[n.key] = item
            (self._items[n.parent] if n.parent else root).appendRow(item)
        self._structure = structure
        indexes = self._indexes()
        for key in self._expanded:
            if key in indexes:
                self.tree.setExpanded(indexes[key], True)
        index = indexes.get(self._current_key) or indexes.get("all")
        if index is not None:
            self.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self.tree.selectionModel().blockSignals(False)
        if index is not None and index.data(KEY_ROLE) != self._current_key:
            self._on_current(index, QModelIndex())  # the picked node is gone: show all

    def _nodes(self, session: LibrarySession) -> list[Node]:
        rows = session.catalog.rows
        facts = session.facts
        return [
            Node("", "all", f"All photos  ({len(rows)})", Filter()),
            Node("", "untagged", f"Untagged  ({facts.untagged})", Filter(UNTAGGED)),
            Node("", "low", f"Low confidence  ({facts.low})", Filter(LOW)),
            *self._cloud_nodes(session),
            *self._tag_nodes(session),
            *self._people_nodes(session),
            *self._date_nodes(rows),
        ]

    def _cloud_nodes(self, session: LibrarySession) -> list[Node]:
        """Shown once the cloud model has refined a photo (and while it is picked)."""
        n = session.facts.refined
        if not n and self._current_key != CLOUD:
            return []
        tip = "Photos whose tags a bigger model in the cloud refined (Settings › Cloud model)"
        return [Node("", CLOUD, f"Refined in the cloud  ({n})", Filter(CLOUD), tip)]

    def _tag_nodes(self, session: LibrarySession) -> list[Node]:
        out = [Node("", "tags", "Tags", None)]
        counts = {t: n for t, n in session.facts.tag_counts.items() if n > 0}
        for tag in sorted(counts, key=lambda t: (t.count("/"), t.lower())):
            parent_tag, _, leaf = tag.rpartition("/")
            parent = _key(TAG, parent_tag) if parent_tag else "tags"
            out.append(
                Node(parent, _key(TAG, tag), f"{leaf}  ({counts[tag]})", Filter(TAG, tag), tag)
            )
        return out

    def _people_nodes(self, session: LibrarySession) -> list[Node]:
        out = [Node("", "people", "People", None)]
        counts: Counter[str] = Counter()
        for pid, n in session.facts.person_counts.items():
            if n > 0:
                counts[session.resolve(pid)] += n
        names = session.names()
        hidden = {p["id"] for p in session.doc.people() if p.get("hidden")}
        people = []
        for pid, n in counts.items():
            if pid not in hidden:
                people.append((names.get(pid) is None, names.get(pid, "").lower(), -n, pid, n))
        for _, _, _, pid, n in sorted(people):
            label = names.get(pid) or f"Unnamed {pid[:4]}"
            out.append(Node("people", _key(PERSON, pid), f"{label}  ({n})", Filter(PERSON, pid)))
        return out

    def _date_nodes(self, rows: list) -> list[Node]:  # type: ignore[type-arg]
        out = [Node("", "dates", "Dates", None)]
        if rows is not self._dated_rows:  # worked out once per catalogue
            self._dated_rows, self._date_counts = rows, date_counts(rows)
        counts = self._date_counts
        locale = QLocale()
        for year in sorted((k for k in counts if len(k) == 4), reverse=True):
            out.append(
                Node("dates", _key(DATE, year), f"{year}  ({counts[year]})", Filter(DATE, year))
            )
            for month in sorted((k for k in counts if k.startswith(year + "-")), reverse=True):
                name = locale.monthName(int(month[5:]), QLocale.FormatType.LongFormat)
                out.append(
                    Node(
                        _key(DATE, year),
                        _key(DATE, month),
                        f"{name}  ({counts[month]})",
                        Filter(DATE, month),
                    )
                )
        return out

    def _remember_expanded(self) -> None:
        def walk(parent: QModelIndex) -> None:
            for r in range(self.model.rowCount(parent)):
                index = self.model.index(r, 0, parent)
                key = str(index.data(KEY_ROLE))
                if self.tree.isExpanded(index):
                    self._expanded.add(key)
                else:
                    self._expanded.discard(key)
                walk(index)

        if self.model.rowCount():
            walk(QModelIndex())


def _key(kind: str, value: str) -> str:
    return kind if kind in (ALL, UNTAGGED, LOW, CLOUD) else f"{kind}:{value}"
