"""The Folders tab beside the filter tree: the library's photos by the folder they are in on disk.

Only folders that hold photos appear, with the folders between them (a chain of folders without
photos of their own is one node, its full path, at the top); each says how many photos it holds,
its subfolders' included. Picking a folder shows its photos in the grid, with or without those in
its subfolders ("Include Subfolders", remembered). The tree is worked out off the UI thread from
the catalogue, when the catalogue changes and the tab is shown.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QLocale, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QTreeView, QVBoxLayout, QWidget

from photo_tagger.gui import settings as opts
from photo_tagger.gui.facts import FOLDER, FOLDER_TREE, Filter
from photo_tagger.gui.file_manager import show_in_file_manager
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.session import Session
from photo_tagger.gui.settings import Settings
from photo_tagger.store.catalog import PATH, Row

# Every item holds the number of its folder in `_paths` (see filter_panel): a path that is not
# UTF-8 would lose its undecodable bytes on its way through Qt.
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
REBUILD_EVERY = 2.0  # seconds, at most once while a scan keeps changing the catalogue


@dataclass(frozen=True)
class FolderNode:
    path: str
    parent: str  # the parent node's path ("" at the top)
    name: str  # the folder's name (its full path at the top)
    own: int  # photos in the folder itself
    total: int  # photos in it and its subfolders


def folder_nodes(paths: Iterable[str]) -> list[FolderNode]:
    """The tree of the folders holding these photo paths, parents before their children and
    siblings by name."""
    own = Counter(os.path.dirname(p) for p in paths)
    total: Counter[str] = Counter()
    children: dict[str, set[str]] = {}
    for folder, n in own.items():
        while True:
            total[folder] += n
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            children.setdefault(parent, set()).add(folder)
            folder = parent
    out: list[FolderNode] = []

    def top(folder: str) -> list[str]:
        """The top nodes for this part of the tree: chains without photos are passed through."""
        below = children.get(folder, set())
        if own[folder] or not below:
            return [folder]
        if len(below) == 1 or os.path.dirname(folder) == folder:  # one way down, or the root
            return [t for child in sorted(below, key=str.casefold) for t in top(child)]
        return [folder]

    def add(folder: str, parent: str) -> None:
        name = os.path.basename(folder) if parent else folder
        out.append(FolderNode(folder, parent, name or folder, own[folder], total[folder]))
        for child in sorted(children.get(folder, ()), key=str.casefold):
            add(child, folder)

    roots = sorted({f for f in total if os.path.dirname(f) == f}, key=str.casefold)
    for folder in (t for root in roots for t in top(root)):
        add(folder, "")
    return out


class FolderTree(QWidget):
    filterChanged = Signal(object)  # Filter: the folder picked (an empty Filter: none)

    def __init__(self, runner: TaskRunner, settings: Settings) -> None:
        super().__init__()
        self._runner = runner
        self._settings = settings
        self._session: Session | None = None
        self._built_from: list[Row] | None = None  # the catalogue rows the tree shows
        self._busy = False
        self._items: dict[str, QStandardItem] = {}
        self._paths: list[str] = []  # PATH_ROLE -> the folder's path
        self._current = ""  # the folder picked
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long path keeps its count
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_menu)
        self.nested = QCheckBox("Include Subfolders")
        self.nested.setToolTip("Picking a folder shows the photos in its subfolders too")
        self.nested.setChecked(settings.get(opts.FOLDERS_NESTED))
        self.nested.toggled.connect(self._on_nested)
        self.empty = QLabel("No photos yet: the folders that hold them will be listed here.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.nested)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.rebuild)
        self._last_rebuild = 0.0
        self._show([])

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            self._session.catalogChanged.disconnect(self._schedule)
        self._session = session
        self._built_from = None
        self._current = ""
        if session is not None:
            session.catalogChanged.connect(self._schedule)
        self._show([])
        self._schedule()

    def current_filter(self) -> Filter:
        if not self._current:
            return Filter()
        return Filter(FOLDER_TREE if self.nested.isChecked() else FOLDER, self._current)

    def select(self, folder: str) -> bool:
        """Pick this folder (as a click would); False if the tree does not show it."""
        item = self._items.get(folder)
        if item is None:
            return False
        self.tree.scrollTo(item.index())
        self.tree.selectionModel().setCurrentIndex(
            item.index(), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    def drop_pick(self) -> None:
        """No folder picked any more (a search looks through the whole library)."""
        self._current = ""
        self.tree.selectionModel().blockSignals(True)
        self.tree.selectionModel().clear()
        self.tree.selectionModel().blockSignals(False)
        self.tree.viewport().update()

    # --- building --------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._schedule()

    def _schedule(self) -> None:
        """Rebuild soon, if shown: a moment after a change, not more than every
        REBUILD_EVERY seconds while changes keep coming."""
        if self._timer.isActive() or not self.isVisible():
            return
        wait = max(0.05, REBUILD_EVERY - (time.monotonic() - self._last_rebuild))
        self._timer.start(int(wait * 1000))

    def rebuild(self) -> None:
        """Work the tree out again off the UI thread, if the catalogue changed since."""
        session = self._session
        if session is None or self._busy:
            return
        rows = session.catalog.rows
        if rows is self._built_from:
            return
        self._busy = True
        self._last_rebuild = time.monotonic()

        def done(nodes: list[FolderNode]) -> None:
            self._busy = False
            if self._session is session:
                self._built_from = rows
                self._show(nodes)
                if session.catalog.rows is not rows:
                    self._schedule()

        def failed(error: BaseException) -> None:
            self._busy = False
            raise error

        self._runner.run(lambda: folder_nodes(r[PATH] for r in rows), done, failed)

    def _show(self, nodes: list[FolderNode]) -> None:
        self.empty.setVisible(not nodes)
        self.tree.setVisible(bool(nodes))
        if [n.path for n in nodes] == list(self._items):  # the same folders: new counts only
            for n in nodes:
                self._items[n.path].setText(_text(n))
            return
        expanded = {p for p, item in self._items.items() if self.tree.isExpanded(item.index())}
        first = not self._items
        self.tree.selectionModel().blockSignals(True)
        self.model.clear()
        self._items, self._paths = {}, [n.path for n in nodes]
        for number, n in enumerate(nodes):
            item = QStandardItem(_text(n))
            item.setEditable(False)
            item.setData(number, PATH_ROLE)
            item.setToolTip(shown(n.path))
            parent = self._items.get(n.parent)
            (parent or self.model.invisibleRootItem()).appendRow([item])
            self._items[n.path] = item
        for path, item in self._items.items():
            if path in expanded or (first and not self._items[path].parent()):
                self.tree.setExpanded(item.index(), True)
        current = self._items.get(self._current)
        if current is not None:
            self.tree.selectionModel().setCurrentIndex(
                current.index(), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self.tree.selectionModel().blockSignals(False)
        if self._current and current is None:  # the folder picked is gone: show all photos
            self._current = ""
            self.filterChanged.emit(Filter())

    # --- the user ----------------------------------------------------------------------------

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._current = self._path_at(current)
        self.filterChanged.emit(self.current_filter())

    def _path_at(self, index: QModelIndex) -> str:
        number = index.data(PATH_ROLE) if index.isValid() else None
        return self._paths[number] if isinstance(number, int) else ""

    def _on_nested(self, nested: bool) -> None:
        self._settings.set(opts.FOLDERS_NESTED, nested)
        if self._current:
            self.filterChanged.emit(self.current_filter())

    def _on_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if not index.isValid():
            return
        folder = self._path_at(index)
        menu = QMenu(self)
        menu.addAction("Show in Folder").triggered.connect(
            lambda: show_in_file_manager(folder, self)
        )
        menu.exec(self.tree.viewport().mapToGlobal(pos))


def _text(node: FolderNode) -> str:
    return f"{shown(node.name)}  ({QLocale().toString(node.total)})"


def shown(path: str) -> str:
    """A path as the user can read it: bytes that are not UTF-8 shown as "�"."""
    return os.fsencode(path).decode("utf-8", "replace")
