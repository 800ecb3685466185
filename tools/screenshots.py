"""Render the window's main views to PNG files, from a real scan of the sample photos.

    python tools/screenshots.py OUTDIR

welcome.png (an empty library), scanning.png (the samples being added), looking-closer.png (the
closer look for objects that follows), grid.png (scanned, one
photo's tags), viewer.png (a photo with face boxes and names), people.png, tags.png (several
photos selected), cloud.png (the photos the cloud model refined, synced with a server),
settings-sync.png and settings-cloud.png (the settings dialog's Sync and Cloud model pages),
new-models.png (a model release tried on the library, what it would change, Accept or Reject),
grid-dark.png (the grid in a dark colour scheme), places.png (a trip's photos by place),
search.png (a search of the whole library), duplicates.png (near-duplicate groups), the
viewer's viewer-zoomed.png, viewer-add-face.png and viewer-popup.png (tools/shots_viewer.py),
tags-panel*.png (tools/shots_tags_panel.py: the Tags panel's tree, a photo's named people, several
photos, the People view), and info.png, folders.png (each with a dark twin) and sort.png
(tools/shots_info_folders.py). Works on any Qt platform: offscreen, or a real X server (xvfb-run).

The server is `photo-tagger serve`'s own app on 127.0.0.1, in this process: the sync, the cloud
model and what the status bar and the dialog say about them are real.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from photo_tagger.gui.app import application, samples_dir
from photo_tagger.gui.closer_look_job import CloserLookJob
from photo_tagger.gui.edits import ConfirmFace, SetTag, name_face
from photo_tagger.gui.facts import CLOUD, TAG
from photo_tagger.gui.runner import InlineRunner, ThreadPoolRunner
from photo_tagger.gui.services import Services
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.settings_dialog import CLOUD_TAB, SYNC_TAB, SettingsDialog
from photo_tagger.gui.window import MainWindow
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models

SIZE = (1280, 800)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(window: MainWindow, app: QApplication, out: Path, name: str) -> Path:
    settle(app)
    window.filters.rebuild()  # the views follow edits a moment later; show them caught up
    if window.people.isVisible():
        window.people.rebuild()
    window.grab()  # the first paint asks for the images; the inline runner decodes them at once
    settle(app)
    path = out / name
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def wait(app: QApplication, done: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


@contextlib.contextmanager
def local_server(data: Path) -> Iterator[tuple[str, str]]:
    """`photo-tagger serve`'s app (sync, cloud model) on 127.0.0.1, one library: (url, token)."""
    import uvicorn

    from photo_tagger.server.run import ServerSettings
    from photo_tagger.server.storage import open_storage
    from photo_tagger.server.tokens import new_token

    storage = open_storage(data, None)
    library_id = storage.add_library("Photos")
    token = new_token()
    storage.add_token(library_id, token.id, token.secret_hash)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        ServerSettings(data=str(data)).app(storage), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", token.token
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        storage.close()


def save_dialog(dialog: SettingsDialog, app: QApplication, out: Path, name: str) -> Path:
    dialog.show()
    settle(app)
    path = out / name
    if not dialog.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def cloud_shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    """Sync with a server and refine the unsure photos with its cloud model; the grid showing
    them, and the settings dialog's Sync and Cloud model pages as they then read."""
    session = window.session
    assert session is not None
    with local_server(work / "server") as (url, token):
        values = replace(
            window.current_settings(),
            sync_server=url,
            sync_token=token,
            cloud_enabled=True,
            cloud_endpoints=(url,),
            cloud_token=token,
            cloud_threshold=0.6,
        )
        window.apply_settings(values)
        wait(app, lambda: window.sync_label.text() == "Synced")
        states: list[str] = []
        window.sync.statusChanged.connect(lambda status: states.append(status and status.state))
        window.commands.refine.trigger()
        wait(app, lambda: not window.jobs.busy)
        wait(app, lambda: "waiting" in states and states[-1] == "synced")  # the cloud's tags too
        session.finish_reading_facts()
        window.filters.select(CLOUD)
        refined = [r[0] for r in session.catalog.rows if session.facts_of(r[0]).cloud_model]
        window.grid.select_ids(refined[:1])
        shots = [save(window, app, out, "cloud.png")]
        dialog = SettingsDialog(window.current_settings(), window)
        dialog.tabs.setCurrentIndex(SYNC_TAB)
        shots.append(save_dialog(dialog, app, out, "settings-sync.png"))
        dialog.tabs.setCurrentIndex(CLOUD_TAB)
        shots.append(save_dialog(dialog, app, out, "settings-cloud.png"))
        dialog.close()
        shots.append(new_models_shot(window, app, out, work))
        window.close()  # the sync stops while its server is still there
    return shots


def different_release(work: Path) -> Path:
    """The shipped models as release 2, seeing things a little differently: a stricter cat, a
    tie that needs more and a suit less, a face detector that wants surer faces."""
    source = work / "models-v2"
    shutil.copytree(default_models_dir(), source, ignore=shutil.ignore_patterns("fp32", "work"))
    vocabulary = json.loads((source / "tagger_vocabulary.json").read_text())
    vocabulary["version"] = "3"
    for tag, threshold in {"Animals/Cat": 0.99, "Clothing/Tie": 0.6, "Clothing/Suit": 0.25}.items():
        vocabulary["tags"][tag]["threshold"] = threshold
    (source / "tagger_vocabulary.json").write_text(json.dumps(vocabulary))
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["models"]["face_detector"]["thresholds"]["min_score"] = 0.8
    manifest["models"]["face_detector"]["version"] = "2"
    (source / "manifest.json").write_text(json.dumps(manifest))
    return source


def new_models_shot(window: MainWindow, app: QApplication, out: Path, work: Path) -> Path:
    """new-models.png: a model release from the library's server, tried on the library, and the
    dialog that lists what it would change, over the window whose status bar offers it."""
    from PySide6.QtGui import QPainter

    from photo_tagger.cloud.model_release import publish_release
    from photo_tagger.cloud.signing import generate_key_pair, load_private_key

    session = window.session
    assert session is not None
    key = work / "keys" / "release.key"
    public = generate_key_pair(key)
    release = work / "server" / "models"
    publish_release(different_release(work), release, load_private_key(key), 2, "0.1")
    (session.path / "trusted-keys").mkdir(exist_ok=True)
    shutil.copy(public, session.path / "trusted-keys" / public.name)
    window.filters.select("all")
    window.commands.model_updates.trigger()
    button = window.links.new_models.button
    wait(app, lambda: button.isVisible() and not window.jobs.busy)
    button.click()
    dialog = window.links.new_models.dialog
    assert dialog is not None
    settle(app)
    window.grab()  # the first paint asks for the thumbnails; the inline runner decodes them
    settle(app)
    picture, shot = window.grab(), dialog.grab()
    painter = QPainter(picture)
    painter.fillRect(picture.rect(), QColor(0, 0, 0, 90))  # the window behind a modal dialog
    x, y = (picture.width() - shot.width()) // 2, (picture.height() - shot.height()) // 2
    painter.drawPixmap(x, y, shot)
    painter.setPen(QColor(0, 0, 0, 140))
    painter.drawRect(x - 1, y - 1, shot.width() + 1, shot.height() + 1)
    painter.end()
    path = out / "new-models.png"
    if not picture.save(str(path)):
        raise OSError(f"could not write {path}")
    dialog.close()
    print(path)
    return path


def photo_id(window: MainWindow, name: str) -> str:
    assert window.session is not None
    for row in window.session.catalog.rows:
        if Path(row[1]).name == name:
            return row[0]
    raise LookupError(name)


def dark_palette() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e6e6e6"),
        (roles.Base, "#1f1f1f"),
        (roles.AlternateBase, "#262626"),
        (roles.Text, "#e6e6e6"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#e6e6e6"),
        (roles.Highlight, "#2f6fb0"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Mid, "#5a5a5a"),
        (roles.Midlight, "#3a3a3a"),
        (roles.Dark, "#181818"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#e6e6e6"),
        (roles.PlaceholderText, "#8a8a8a"),
    ):
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor("#777777"))
    p.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor("#777777"))
    p.setColor(QPalette.ColorGroup.Disabled, roles.WindowText, QColor("#777777"))
    return p


@contextlib.contextmanager
def dark(app: QApplication) -> Iterator[None]:
    """The system's dark colour scheme, as Qt hands it to the app: on platforms that follow the
    desktop's colour scheme Qt switches the palette itself; elsewhere (offscreen, a bare X server)
    `dark_palette` is set, so that a picture shows every view painting with the palette's
    colours."""
    light = app.palette()
    app.styleHints().setColorScheme(Qt.ColorScheme.Dark)
    settle(app)
    if app.palette().color(QPalette.ColorRole.Window).lightness() > 128:
        app.setPalette(dark_palette())
    try:
        yield
    finally:
        app.setPalette(light)
        app.styleHints().unsetColorScheme()
        settle(app)


def render(out: Path, work: Path, size: tuple[int, int] = SIZE) -> list[Path]:
    app = application()
    models_dir = default_models_dir()
    models = Models.load(models_dir)
    jobs_pool = QThreadPool()
    services = Services(
        settings=Settings.at(work / "settings.ini"),
        models=lambda folder: models,
        models_dir=lambda library: models_dir,
        jobs_runner=ThreadPoolRunner(jobs_pool),  # a real background scan, caught halfway
        images_runner=InlineRunner(),  # every image decoded before its picture is taken
        samples_dir=samples_dir(),
        scan_workers=1,  # slow enough to be caught halfway
    )
    window = MainWindow(services)
    window.resize(*size)
    window.open_library(work / "library")
    window.show()
    shots = [save(window, app, out, "welcome.png")]

    window.add_samples()
    bar = window.job_status.bar
    while window.jobs.busy:
        app.processEvents()
        model = window.grid_model
        halfway = 0 < bar.value() < bar.maximum() and model is not None and model.rowCount() > 0
        if halfway and shots[-1].name == "welcome.png":
            shots.append(save(window, app, out, "scanning.png"))
        looking = isinstance(window.jobs.current, CloserLookJob) and bar.value() > 0
        if looking and shots[-1].name == "scanning.png":  # the closer look after the scan
            shots.append(save(window, app, out, "looking-closer.png"))
        time.sleep(0.005)
    jobs_pool.waitForDone()
    settle(app)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.filters.rebuild()
    cat = photo_id(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    shots.append(save(window, app, out, "grid.png"))

    # name a few people, so that the viewer and the people view have names to show
    group = photo_id(window, "group.jpg")
    obama = photo_id(window, "obama.jpg")
    session.undo.push(name_face(session, obama, 0, "Barack Obama"))
    session.undo.push(name_face(session, photo_id(window, "biden.jpg"), 0, "Joe Biden"))
    for face, name in ((0, "Alex"), (2, "Sam")):
        session.undo.push(name_face(session, group, face, name))
    _, faces = session.doc.faces(group)
    if len(faces) > 3:
        face3 = session.doc.face_person(group, 3)
        if face3 is not None:
            session.undo.push(ConfirmFace(session, group, 3, face3[0]))
    window.show_photo(group)
    shots.append(save(window, app, out, "viewer.png"))

    window.show_people()
    shots.append(save(window, app, out, "people.png"))

    window.show_grid()
    picks = [photo_id(window, n) for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")]
    session.undo.push(SetTag(session, picks, "Events/Speech", True))
    window.grid.select_ids(picks)
    window.filters.select(TAG, "People")
    window.grid.select_ids(picks)
    shots.append(save(window, app, out, "tags.png"))

    window.filters.select("all")
    window.grid.select_ids([cat])
    with dark(app):
        shots.append(save(window, app, out, "grid-dark.png"))
    from shots_viewer import shots as viewer_shots  # beside this file

    shots.extend(viewer_shots(window, app, out, work))
    shots.extend(context_shots(window, app, out, work))
    # each part's views, from tools/ beside this file (they use this module's save() and settle())
    from shots_dupes import shots as dupes_shots
    from shots_info_folders import shots as info_folders_shots
    from shots_map_timeline import shots as map_timeline_shots
    from shots_ratings import shots as ratings_shots
    from shots_tags_panel import shots as tags_panel_shots
    from shots_traps_view import shots as traps_view_shots
    from shots_words import shots as words_shots

    shots.extend(traps_view_shots(window, app, out, work))
    shots.extend(ratings_shots(window, app, out, work))
    shots.extend(words_shots(window, app, out, work))
    shots.extend(tags_panel_shots(window, app, out, work))
    shots.extend(info_folders_shots(window, app, out, work))
    shots.extend(map_timeline_shots(window, app, out, work))
    shots.extend(dupes_shots(window, app, out, work))
    shots.extend(cloud_shots(window, app, out, work))  # closes the window
    return shots


def with_exif(
    source: Path, target: Path, taken: str, where: tuple[float, float] | None, quality: int = 92
) -> None:
    """A copy of a sample photo as a camera would have written it: capture time, camera, GPS."""
    from PIL import Image

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        minutes = (value - int(value)) * 60
        return (int(value), int(minutes), round((minutes - int(minutes)) * 60, 2))

    with Image.open(source) as img:
        exif = img.getexif()
        exif[0x010F], exif[0x0110] = "Canon", "EOS R6"  # Make, Model
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
        if where is not None:
            gps = exif.get_ifd(0x8825)
            gps[1], gps[2] = ("N" if where[0] >= 0 else "S"), dms(where[0])
            gps[3], gps[4] = ("E" if where[1] >= 0 else "W"), dms(where[1])
        img.save(target, exif=exif, quality=quality)


def context_shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    """places.png (a trip's photos by place, one placed by its neighbour), search.png and
    duplicates.png."""
    from photo_tagger.gui.facts import DUPLICATES

    samples = samples_dir()
    assert samples is not None
    trip = work / "trip"
    trip.mkdir()
    lisbon, porto = (38.7139, -9.1394), (41.1496, -8.611)
    shots = [
        ("rocket", "2024:06:12 19:05:00", lisbon),
        ("coffee", "2024:06:12 19:20:00", lisbon),
        ("astronaut", "2024:06:12 19:22:00", None),
        ("motorcycle", "2024:06:14 11:30:00", porto),
    ]
    for name, taken, where in shots:
        with_exif(samples / f"{name}.jpg", trip / f"trip-{name}.jpg", taken, where)
    copy = trip / "trip-coffee-copy.jpg"  # sent through a messenger: recompressed
    with_exif(samples / "coffee.jpg", copy, "2024:06:12 19:20:00", lisbon, quality=40)
    window.add_paths([str(trip)], watch=False)
    wait(app, lambda: not window.jobs.busy)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.filters.select(TAG, "Places/Portugal/Lisbon")
    window.grid.select_ids([photo_id(window, "trip-astronaut.jpg")])
    pictures = [save(window, app, out, "places.png")]
    # a search looks through the whole library, whatever the filters had picked
    window.search.setText("coffee 2024")
    window.content.apply()
    window.grid.select_ids([photo_id(window, "trip-coffee.jpg")])  # its tags say why
    pictures.append(save(window, app, out, "search.png"))
    window.search.clear()
    window.filters.select(DUPLICATES)
    window.grid.select_ids([photo_id(window, "trip-coffee.jpg")])
    pictures.append(save(window, app, out, "duplicates.png"))
    return pictures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument(
        "--size", default="x".join(map(str, SIZE)), help="window size, WxH (default %(default)s)"
    )
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    args.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        render(args.outdir, Path(tmp), (width, height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
