"""Browsing as in digiKam, Apple Photos or Immich: the Info panel (a tab beside the Tags panel,
View › Info, Ctrl+I, and a toolbar button), the Folders tab beside the filter tree, and
View › Sort By. Built into the window by one call (`Browsing(window)`); each part is its own
module: info_panel.py, folder_tree.py, grid_order.py.

The left dock holds two tabs, "Tags" (the filter tree) and "Folders": the grid shows what the
tab in front picks, so turning to a tab shows its pick again, and picking in the filter tree
(also a person picked in the People view) brings the Tags tab to the front. A search looks
through the whole library: the folder picked is let go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QTabWidget, QToolBar

from photo_tagger.gui.facts import Filter
from photo_tagger.gui.folder_tree import FolderTree
from photo_tagger.gui.grid_order import GridOrder, sort_menu
from photo_tagger.gui.info_panel import InfoPanel

if TYPE_CHECKING:
    from photo_tagger.gui.window import MainWindow

TAGS_TAB, FOLDERS_TAB = 0, 1


class Browsing:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        runner, settings = window.services.images_runner, window.settings
        self.info = InfoPanel(runner)
        self.info_dock = QDockWidget("Info", window)
        self.info_dock.setObjectName("info")
        self.info_dock.setWidget(self.info)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.info_dock)
        window.tabifyDockWidget(window.tags_dock, self.info_dock)
        self.info_dock.hide()  # until asked for (a saved window state may show it)

        self.folders = FolderTree(runner, settings)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(window.filters, "Tags")
        self.tabs.addTab(self.folders, "Folders")
        window.filters_dock.setWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_tab)
        self.folders.filterChanged.connect(self._on_folder)
        window.filters.filterChanged.connect(self._on_tags_picked)
        window.search.textChanged.connect(self._on_search)

        self.order = GridOrder(runner, settings)
        window.content.arrange = self.order.rows
        self.order.changed.connect(lambda reordered: window.content.apply(reset=reordered))
        self.order.message.connect(window.statusBar().showMessage)

        self.show_info = QAction("&Info", window)
        self.show_info.setCheckable(True)
        self.show_info.setShortcut(QKeySequence("Ctrl+I"))
        self.show_info.setToolTip("The selected photo's details: when, how, its file (Ctrl+I)")
        self.show_info.triggered.connect(lambda checked=False: self.toggle_info())
        self.info_dock.visibilityChanged.connect(self.show_info.setChecked)
        window.addAction(self.show_info)  # the shortcut works while the menu bar is hidden too
        self.show_folders = QAction("F&olders", window)
        self.show_folders.setToolTip("The library's photos by the folder they are in on disk")
        self.show_folders.triggered.connect(lambda checked=False: self.folders_tab())
        self._add_to_menus(window)

    @property
    def parts(self) -> tuple[InfoPanel, FolderTree, GridOrder]:
        """What follows the open library (set_session)."""
        return self.info, self.folders, self.order

    def show_photos(self, photo_ids: list[str]) -> None:
        """The photos selected (or the one shown in the viewer)."""
        self.info.show_photos(photo_ids)

    def toggle_info(self) -> None:
        """Show the Info panel in front; hide it when it is in front already."""
        dock = self.info_dock
        if dock.isVisible():  # in front: behind the Tags tab it is hidden
            dock.close()
        else:
            dock.show()
            dock.raise_()
        self.show_info.setChecked(dock.isVisible())

    def folders_tab(self) -> None:
        """The Folders tab in front, the left panel shown."""
        self._window.filters_dock.show()
        self.tabs.setCurrentIndex(FOLDERS_TAB)
        self.folders.tree.setFocus()

    def _add_to_menus(self, window: MainWindow) -> None:
        view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
        assert isinstance(view, QMenu)
        entries = view.actions()
        panels = entries.index(window.filters_dock.toggleViewAction())
        view.insertMenu(entries[panels - 1], sort_menu(self.order, view))  # before the separator
        view.insertAction(entries[panels + 1], self.show_folders)  # after Filters
        view.addAction(self.show_info)
        tools = window.findChild(QToolBar, "main")
        if tools is not None:
            shown = tools.actions()
            after = shown.index(window.commands.add_folder) + 1
            if after < len(shown):
                tools.insertAction(shown[after], self.show_info)
            else:
                tools.addAction(self.show_info)

    # --- the tabs of the left dock -------------------------------------------------------------

    def _on_tab(self, tab: int) -> None:
        flt = self.folders.current_filter() if tab == FOLDERS_TAB else self._tags_filter()
        self._window.content.set_filter(flt)

    def _tags_filter(self) -> Filter:
        return self._window.filters.current_filter()

    def _on_folder(self, flt: Filter) -> None:
        if self.tabs.currentIndex() == FOLDERS_TAB:
            self._window.content.set_filter(flt)

    def _on_search(self, text: str) -> None:
        if text.strip():  # a search looks through the whole library, as the Tags tab says
            self.folders.drop_pick()

    def _on_tags_picked(self, flt: Filter) -> None:
        if self.tabs.currentIndex() != TAGS_TAB:
            self.tabs.blockSignals(True)  # the filter tree's own pick is shown already
            self.tabs.setCurrentIndex(TAGS_TAB)
            self.tabs.blockSignals(False)
