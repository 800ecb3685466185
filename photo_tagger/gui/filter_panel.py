"""The filter tree beside the grid: all photos, untagged, low confidence, refined in the cloud (once
any is), the tag hierarchy, people and dates, each with how many photos it holds (the count always
whole; a long name is cut short, whole in its tooltip). Picking a node filters the grid; Esc there
goes back as it does elsewhere; a renamed tag that was picked stays picked under its new name."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView, QVBoxLayout, QWidget

from photo_tagger.gui.facts import (
    ALL,
    CLOUD,
    DUPLICATES,
    LOW,
    PERSON,
    TAG,
    UNTAGGED,
    Filter,
)
from photo_tagger.gui.filter_rows import CountDelegate, is_escape, leaf_text, split_count
from photo_tagger.gui.ratings import rating_nodes
from photo_tagger.gui.session import Session
from photo_tagger.words import count

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
# Every node stores its key (a string) and the panel maps keys to filters: asking an item for a
# role it does not hold hands back None, which PySide6 6.12 on Python 3.11 miscounts (it frees
# None after enough of them), so no role is ever read that an item may lack.
REBUILD_EVERY = 2.0  # seconds
WIDEST = "Refined in the cloud  (00000)"  # the widest row at the top, for the panel's width
# Unnamed people shown in the tree, the largest groups first: a large library has thousands of
# small groups, which the People view is for.
MAX_UNNAMED = 50
# What photos carry (photo_tagger.context, app/context.py), each a section of the tree
DATES = "Dates"
CONTEXT_ROOTS = ("Places", DATES, "Events", "Time of day", "Seasons")


@dataclass(frozen=True)
class Node:
    parent: str  # the parent node's key ("" at the top)
    key: str
    text: str
    filter: Filter | None  # None: a section heading
    tooltip: str = ""
    heading: bool = False  # shown as a section heading (also those that filter)


def _item(node: Node) -> QStandardItem:
    """A node; its filter is looked up by key (`FilterPanel._filters`)."""
    item = QStandardItem(node.text)
    item.setEditable(False)
    item.setData(node.key, KEY_ROLE)
    if node.heading or (node.filter is None and not node.parent):
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    if node.filter is None:  # a section heading, or a note in one
        item.setSelectable(False)
    return item


class FilterPanel(QWidget):
    filterChanged = Signal(object)  # Filter: what the grid shows now
    filterPicked = Signal(object)  # Filter: the user picked it (after filterChanged)
    renameRequested = Signal(str)  # a tag the user wants to rename (an event to name)
    backRequested = Signal()  # Esc: close the open photo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.expanded.connect(self._on_expanded)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_menu)
        self.tree.collapsed.connect(self._on_collapsed)
        self.tree.setItemDelegate(CountDelegate(self.tree))
        self.tree.setIndentation(14)
        self.tree.installEventFilter(self)
        # the top rows whole, the rest cut short if need be
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(WIDEST) + 40)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self._current_key = "all"
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.rebuild)
        self._expanded = {"tags", "people", "ratings", _key(TAG, "Places"), _key(TAG, DATES)}
        self._filters: dict[str, Filter] = {}  # node key -> what picking it shows
        self._items: dict[str, QStandardItem] = {}  # node key -> its item in the tree
        self._last_rebuild = 0.0

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            for sig in (
                self._session.factsChanged,
                self._session.peopleChanged,
                self._session.catalogChanged,
            ):
                sig.disconnect(self.schedule_rebuild)
            self._session.tagRenamed.disconnect(self._follow_rename)
        self._session = session
        if session is not None:
            session.factsChanged.connect(self.schedule_rebuild)
            session.peopleChanged.connect(self.schedule_rebuild)
            session.catalogChanged.connect(self.schedule_rebuild)
            session.tagRenamed.connect(self._follow_rename)
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

    def _on_menu(self, pos: QPoint) -> None:
        flt = self._filters.get(str(self.tree.indexAt(pos).data(KEY_ROLE)))
        if flt is None or flt.kind != TAG:
            return
        menu = QMenu(self)
        event = flt.value.startswith("Events/") and flt.value.count("/") == 2  # Events/2024/...
        what = "Name this event…" if event else "Rename tag…"
        menu.addAction(what).triggered.connect(lambda: self.renameRequested.emit(flt.value))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        key = str(current.data(KEY_ROLE)) if current.isValid() else ""
        flt = self._filters.get(key)
        if flt is not None:
            self._current_key = key
            self.filterChanged.emit(flt)
            if previous.isValid():  # not the tree falling back to all photos (rebuild)
                self.filterPicked.emit(flt)

    def _follow_rename(self, old: str, new: str) -> None:
        """A tag was renamed: if it (or a tag under it) was picked, its new name is."""
        flt = self._filters.get(self._current_key)
        if flt is None or flt.kind != TAG:
            return
        if flt.value == old or flt.value.startswith(old + "/"):
            renamed = Filter(TAG, new + flt.value[len(old) :])
            self._current_key = _key(TAG, renamed.value)
            self._filters[self._current_key] = renamed
            self.filterChanged.emit(renamed)
            self.schedule_rebuild()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and is_escape(event):
            self.backRequested.emit()
            return True
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth() + 80, super().sizeHint().height())

    def rebuild(self) -> None:
        """Bring the tree up to date in place: counts change the nodes' texts, and only the nodes
        that came or went are inserted or removed (a scan into a large library adds a person or a
        tag now and then; redoing the whole tree each time would hold the UI thread)."""
        self._timer.stop()
        self._last_rebuild = time.monotonic()
        session = self._session
        nodes = self._nodes(session) if session is not None else []
        children: dict[str, list[Node]] = {}
        for n in nodes:
            children.setdefault(n.parent, []).append(n)
        self.tree.selectionModel().blockSignals(True)
        self._sync_children(self.model.invisibleRootItem(), "", children)
        self._filters = {n.key: n.filter for n in nodes if n.filter is not None}
        current = self._items.get(self._current_key) or self._items.get("all")
        index = current.index() if current is not None else QModelIndex()
        if index.isValid() and self.tree.currentIndex() != index:
            self.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self.tree.selectionModel().blockSignals(False)
        if index.isValid() and index.data(KEY_ROLE) != self._current_key:
            self._on_current(index, QModelIndex())  # the picked node is gone: show all

    def _sync_children(
        self, parent: QStandardItem, parent_key: str, children: dict[str, list[Node]]
    ) -> None:
        wanted = children.get(parent_key, [])
        keys = {n.key for n in wanted}
        for row in reversed(range(parent.rowCount())):  # nodes gone
            child = parent.child(row)
            if child.data(KEY_ROLE) not in keys:
                self._forget(child)
                parent.removeRow(row)
        for row, n in enumerate(wanted):
            item = self._items.get(n.key)
            if item is None:  # a new node
                item = _item(n)
                self._items[n.key] = item
                # the list form hands the item to the model; with one item PySide keeps it
                # Python's, and it would be deleted under the model once no longer referenced
                parent.insertRow(row, [item])
                if n.key in self._expanded:
                    self.tree.setExpanded(item.index(), True)
            elif item.row() != row:  # moved among its siblings (counts changed the order)
                parent.insertRow(row, parent.takeRow(item.row()))
            if item.text() != n.text:
                item.setText(n.text)
            tooltip = n.tooltip or split_count(n.text)[0]  # the whole name, cut short or not
            if item.toolTip() != tooltip:
                item.setToolTip(tooltip)
            if n.key in children or item.rowCount():
                self._sync_children(item, n.key, children)
            if (
                item.rowCount()
                and n.key in self._expanded
                and not self.tree.isExpanded(item.index())
            ):
                self.tree.setExpanded(item.index(), True)

    def _forget(self, item: QStandardItem) -> None:
        """`item` and its descendants leave the tree."""
        for row in range(item.rowCount()):
            self._forget(item.child(row))
        self._items.pop(str(item.data(KEY_ROLE)), None)

    def _on_expanded(self, index: QModelIndex) -> None:
        self._expanded.add(str(index.data(KEY_ROLE)))

    def _on_collapsed(self, index: QModelIndex) -> None:
        self._expanded.discard(str(index.data(KEY_ROLE)))

    def _nodes(self, session: Session) -> list[Node]:
        rows = session.catalog.rows
        facts = session.facts
        tags, context = self._tag_nodes(session)
        return [
            Node("", "all", f"All photos  ({len(rows)})", Filter()),
            Node("", "untagged", f"Untagged  ({facts.untagged})", Filter(UNTAGGED)),
            Node("", "low", f"Low confidence  ({facts.low})", Filter(LOW)),
            *self._cloud_nodes(session),
            *self._duplicate_nodes(session),
            *(Node(*parts) for parts in rating_nodes(facts, self._current_key)),
            *tags,
            *self._people_nodes(session),
            *context,
        ]

    def _cloud_nodes(self, session: Session) -> list[Node]:
        """Shown once the cloud model has refined a photo (and while it is picked)."""
        n = session.facts.refined
        if not n and self._current_key != CLOUD:
            return []
        tip = "Photos whose tags a bigger model in the cloud refined (Settings › Cloud model)"
        return [Node("", CLOUD, f"Refined in the cloud  ({n})", Filter(CLOUD), tip)]

    def _duplicate_nodes(self, session: Session) -> list[Node]:
        """Shown once a scan found near-duplicates: their groups, the one to keep first."""
        duplicates = session.facts.duplicates
        if not duplicates and self._current_key != DUPLICATES:
            return []
        groups = len(set(duplicates.values()))
        tip = (
            "Resized, re-encoded, edited or cropped copies and bursts, group by group: the first "
            "of each is the one to keep (the most pixels, the sharpest). Edit › Tag Extra "
            "Near-Duplicates tags the others."
        )
        text = f"Near-duplicates  ({count(groups, 'group')})"
        return [Node("", DUPLICATES, text, Filter(DUPLICATES), tip)]

    def _tag_nodes(self, session: Session) -> tuple[list[Node], list[Node]]:
        """The models' and the user's tags under "Tags"; what photos carry (places, dates,
        events...) as sections of their own, the latest dates first."""
        out = [Node("", "tags", "Tags", None)]
        counts = {t: n for t, n in session.facts.tag_counts.items() if n > 0}
        by_root: dict[str, list[str]] = {}
        for tag in sorted(counts, key=lambda t: (t.count("/"), t.lower())):
            root = tag.partition("/")[0]
            if root in CONTEXT_ROOTS:
                by_root.setdefault(root, []).append(tag)
                continue
            parent_tag, _, leaf = tag.rpartition("/")
            parent = _key(TAG, parent_tag) if parent_tag else "tags"
            out.append(
                Node(parent, _key(TAG, tag), f"{leaf}  ({counts[tag]})", Filter(TAG, tag), tag)
            )
        context: list[Node] = []
        for root in CONTEXT_ROOTS:
            tags = by_root.get(root, [])
            if root == DATES:  # newest first, level by level
                tags = sorted(sorted(tags, reverse=True), key=lambda t: t.count("/"))
            for tag in tags:
                parent_tag, _, leaf = tag.rpartition("/")
                node = Node(
                    _key(TAG, parent_tag) if parent_tag else "",
                    _key(TAG, tag),
                    f"{leaf_text(leaf)}  ({counts[tag]})",
                    Filter(TAG, tag),
                    tag,
                    heading=not parent_tag,
                )
                context.append(node)
        return out, context

    def _people_nodes(self, session: Session) -> list[Node]:
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
        people.sort()
        named = sum(1 for p in people if not p[0])
        for _, _, _, pid, n in people[: named + MAX_UNNAMED]:
            label = names.get(pid) or f"Unnamed {pid[:4]}"
            out.append(Node("people", _key(PERSON, pid), f"{label}  ({n})", Filter(PERSON, pid)))
        if len(people) > named + MAX_UNNAMED:
            more = len(people) - named - MAX_UNNAMED
            out.append(
                Node(
                    "people",
                    "people:more",
                    f"{more} more unnamed…",
                    None,
                    "The smaller unnamed groups are in the People view, where they can be named.",
                )
            )
        return out


def _key(kind: str, value: str) -> str:
    return kind if kind in (ALL, UNTAGGED, LOW, CLOUD, DUPLICATES) else f"{kind}:{value}"
