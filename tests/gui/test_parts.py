"""The window's parts on their own: filtering rules, the grid's row updates, the watcher's
folders, the settings file, the way back to the UI thread, the image cache."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QItemSelectionModel
from pytestqt.qtbot import QtBot
from watchdog.events import DirDeletedEvent, FileCreatedEvent, FileMovedEvent, FileOpenedEvent

from photo_tagger.gui import settings as opts
from photo_tagger.gui.facts import (
    LOW,
    TAG,
    UNTAGGED,
    FactsIndex,
    Filter,
    PhotoFacts,
    TagFact,
    apply_filter,
)
from photo_tagger.gui.images import ImageLoader, Pixels
from photo_tagger.gui.paths import outermost
from photo_tagger.gui.runner import InlineRunner, LibraryClosedError, UiThreadCaller
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.status import format_eta
from photo_tagger.gui.watcher import EVENTS, folders_to_rescan
from photo_tagger.store.catalog import Row
from tests.gui.conftest import WAIT_MS
from tests.harness import HANG, wait_until


def facts(tags: dict[str, float], people: tuple[str, ...] = (), user: bool = False) -> PhotoFacts:
    return PhotoFacts(
        {t: TagFact(s, "model") for t, s in tags.items()},
        frozenset(people),
        len(people),
        max(tags.values(), default=0.0),
        user,
    )


def test_filters_match_tags_with_what_is_under_them_people_and_words() -> None:
    rows: list[Row] = [
        ("a", "/p/cat.jpg", 3, None),
        ("b", "/p/kitten.jpg", 2, None),
        ("c", "/p/blur.jpg", 1, None),
        ("d", "/p/unread.jpg", 0, None),
    ]
    index = FactsIndex()
    index.put("a", facts({"Animals/Cat": 0.9}, ("p1",)))
    index.put("b", facts({"Animals/Cat/Kitten": 0.8}, ("p2",)))
    index.put("c", facts({}))
    assert index.tag_counts["Animals"] == 2 and index.tag_counts["Animals/Cat"] == 2

    def run(flt: Filter) -> list[str]:
        merged = {"p2": "p1"}.get
        out = apply_filter(rows, flt, index, lambda p: merged(p) or p, {"p1": "Ana"}, 0.5)
        return [r[0] for r in out]

    assert run(Filter()) == ["a", "b", "c", "d"]
    assert run(Filter(TAG, "Animals")) == ["a", "b"]
    assert run(Filter(TAG, "Animals/Cat/Kitten")) == ["b"]
    assert run(Filter(TAG, "Anim")) == []  # whole path parts only
    assert run(Filter(UNTAGGED)) == ["c"]
    assert run(Filter(LOW)) == ["c"]
    assert run(Filter("person", "p1")) == ["a", "b"]  # p2 was merged into p1
    assert run(Filter(text="ana kitten")) == ["b"]  # every word, in names, tags or people
    index.discard("b")
    assert index.tag_counts["Animals/Cat"] == 1


def test_the_window_and_the_escalation_client_agree_on_what_the_cloud_refined(
    tmp_path: Path,
) -> None:
    from photo_tagger.cloud.escalation import refined_in_cloud
    from photo_tagger.gui.facts import read_facts
    from photo_tagger.store.library import Library

    library = Library.open(tmp_path / "library")
    try:
        doc = library.document
        local, both, cloud = "a" * 64, "b" * 64, "c" * 64
        doc.set_auto_tags(local, {"Animals/Cat": 0.4}, "local", "tagger@1")
        doc.set_auto_tags(both, {"Animals/Cat": 0.4}, "local", "tagger@1")
        doc.set_auto_tags(both, {"Animals/Dog": 0.9}, "cloud", "big@2")
        doc.set_auto_tags(cloud, {"Animals/Dog": 0.9}, "cloud", "big@2")
        for pid in (local, both, cloud, "d" * 64):
            facts = read_facts(library, pid, lambda tag: 0.5)
            assert facts.cloud_model == refined_in_cloud(doc, pid)
        assert read_facts(library, cloud, lambda tag: 0.5).cloud_model == "big@2"
        assert read_facts(library, cloud, lambda tag: 0.5).tags["Animals/Dog"].source == "cloud"
    finally:
        library.close()


def test_grid_rows_change_without_losing_the_selection(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QListView

    from photo_tagger.gui.grid import PhotoGridModel

    model = PhotoGridModel(ImageLoader(InlineRunner()), tmp_path)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    rows: list[Row] = [(c, f"/p/{c}.jpg", 0, None) for c in "abcdef"]
    model.set_rows(rows)
    view.selectionModel().select(model.index(4), QItemSelectionModel.SelectionFlag.Select)  # e
    removed = [model.rowCount()]
    model.rowsRemoved.connect(lambda *_: removed.append(model.rowCount()))
    model.set_rows([r for r in rows if r[0] not in "bc"] + [("g", "/p/g.jpg", 0, None)])
    assert [model.content_id(r) for r in range(model.rowCount())] == list("adefg")
    assert [i.row() for i in view.selectionModel().selectedIndexes()] == [2]  # still e
    assert removed == [6, 4]  # one removal of the run that went


def test_watcher_rescans_the_folder_a_change_happened_in() -> None:
    assert folders_to_rescan(FileCreatedEvent("/p/trip/a.jpg")) == ["/p/trip"]
    assert folders_to_rescan(FileCreatedEvent("/p/trip/notes.txt")) == []
    assert folders_to_rescan(FileCreatedEvent("/p/trip/.a.jpg")) == []
    assert folders_to_rescan(FileMovedEvent("/p/a/x.jpg", "/p/b/x.jpg")) == ["/p/a", "/p/b"]
    assert folders_to_rescan(DirDeletedEvent("/p/trip")) == ["/p"]
    assert not isinstance(FileOpenedEvent("/p/a.jpg"), EVENTS)  # a scan reading is no change
    assert outermost(["/p/a", "/p", "/q/b", "/p2"]) == ["/p", "/p2", "/q/b"]


def test_eta_reads_as_minutes_and_hours() -> None:
    assert format_eta(None) == "--:--"
    assert format_eta(75.2) == "1:15"
    assert format_eta(3725) == "1:02:05"


def test_settings_are_typed_and_kept_per_library(tmp_path: Path) -> None:
    s = Settings.at(tmp_path / "s.ini")
    assert s.get(opts.THRESHOLD_SCALE) == 1.0
    s.set(opts.THRESHOLD_SCALE, 0.8)
    s.set(opts.XMP_KEEP, True)
    s.set_watched_folders(tmp_path / "lib1", ["/photos"])
    s.sync()
    again = Settings.at(tmp_path / "s.ini")
    assert again.get(opts.THRESHOLD_SCALE) == 0.8 and again.get(opts.XMP_KEEP) is True
    assert again.watched_folders(tmp_path / "lib1") == ["/photos"]
    assert again.watched_folders(tmp_path / "lib2") == []


def test_settings_of_version_1_are_carried_forward(tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    old = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    for key, value in (
        (opts.VERSION_KEY, 1),
        ("sync/server", ""),
        ("cloud/enabled", False),
        (opts.THRESHOLD_SCALE.key, 0.8),
    ):
        old.setValue(key, value)
    old.sync()
    s = Settings.at(tmp_path / "s.ini")
    s.sync()
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert int(again.value(opts.VERSION_KEY)) == opts.VERSION == 2
    assert not again.contains("sync/server") and not again.contains("cloud/enabled")
    assert s.get(opts.THRESHOLD_SCALE) == 0.8


def test_a_background_thread_runs_library_calls_on_the_ui_thread(qtbot: QtBot) -> None:
    caller = UiThreadCaller()
    ui = threading.get_ident()
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(caller(threading.get_ident)))
    thread.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)  # the UI thread runs the call
    thread.join(HANG)
    assert seen == [ui]

    ran: list[bool] = []

    def waiting_call() -> None:
        try:
            caller(lambda: ran.append(True))
        except LibraryClosedError:
            seen.append("closed")

    thread = threading.Thread(target=waiting_call)
    thread.start()
    # posted, not yet run: the UI thread's events are not processed while this waits
    wait_until(lambda: bool(caller._waiting), "the call to be posted")
    caller.close()  # the window let go of the library: the waiting call must not hang
    thread.join(HANG)
    assert not thread.is_alive()
    QCoreApplication.processEvents()  # the posted call comes to the UI thread: it must not run
    assert seen == [ui, "closed"] and ran == []
    with pytest.raises(LibraryClosedError):
        caller(lambda: None)


def test_image_cache_keeps_the_recent_images_within_its_budget() -> None:
    def image() -> Pixels:
        return Pixels(np.zeros((100, 100, 3), np.uint8))  # 30,000 bytes as a QImage

    loader = ImageLoader(InlineRunner(), budget_bytes=3 * 30_000)
    for key in "abcd":
        assert loader.image(key, image) is not None  # inline: loaded at once
    assert loader.cached("a") is None and loader.cached("d") is not None
    assert loader.image("x", lambda: None) is None
    assert loader.image("x", pytest.fail) is None  # a failed image is not asked for again
