"""XMP sidecars from the window: kept up to date a moment after each edit (tags, and names of the
people on a photo), written for every photo by File › Write XMP Sidecars, and a sidecar that cannot
be written is reported, never overwritten (as are files a scan skips)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from photo_tagger.gui.edits import NamePerson
from photo_tagger.metadata import read_photo_metadata
from tests.gui.conftest import WAIT_MS, MakeWindow, copy_photos, grid_names, row_of


def sidecar_says(photo: Path) -> tuple[set[str], set[str]]:
    """(tags, face names) in the photo's sidecar, as a scan would import them."""
    data = read_photo_metadata(photo)
    return set(data.tags), {f.name for f in data.faces}


def test_sidecars_follow_edits_and_an_unwritable_one_is_reported(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("chelsea.jpg", "coffee.jpg", "obama.jpg"))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not a photo")
    window = make_window(threads=True)  # sidecars written off the UI thread, as in the app
    window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: len(grid_names(window)) == 3 and not window.jobs.busy, timeout=WAIT_MS)
    assert window.problems.isVisible() and window.problems.title == "Photos skipped"
    assert window.problems.details().startswith(f"{folder / 'broken.jpg'}: ")
    window.problems.setVisible(False)
    session = window.session
    assert session is not None
    window.apply_settings(replace(window.current_settings(), xmp_keep=True))
    cat, coffee, obama = (row_of(window, n) for n in ("chelsea.jpg", "coffee.jpg", "obama.jpg"))
    cat_xmp = folder / "chelsea.jpg.xmp"

    window.grid.select_ids([cat])
    window.tag_editor.add_tag("Pets/Chelsea")
    assert not cat_xmp.exists()  # a moment after the edit, not during it
    qtbot.waitUntil(cat_xmp.exists, timeout=WAIT_MS)
    assert sidecar_says(folder / "chelsea.jpg")[0] >= {"Pets/Chelsea"}
    assert "Animals/Cat" not in sidecar_says(folder / "chelsea.jpg")[0]  # the model's: not asked

    window.commands.undo.trigger()
    qtbot.waitUntil(
        lambda: "Pets/Chelsea" not in sidecar_says(folder / "chelsea.jpg")[0], timeout=WAIT_MS
    )

    # naming a person rewrites the sidecars of the photos with their face
    face = session.doc.face_person(obama, 0)
    assert face is not None
    session.undo.push(NamePerson(session, face[0], "Barack"))
    qtbot.waitUntil(lambda: (folder / "obama.jpg.xmp").exists(), timeout=WAIT_MS)
    assert sidecar_says(folder / "obama.jpg")[1] == {"Barack"}

    # a sidecar that is not XMP is never overwritten: the edit stays in the library, and says so
    (folder / "coffee.jpg.xmp").write_text("not xmp at all")
    window.grid.select_ids([coffee])
    window.tag_editor.add_tag("Drinks")
    qtbot.waitUntil(window.problems.isVisible, timeout=WAIT_MS)
    assert window.problems.lines[0].startswith(str(folder / "coffee.jpg"))
    assert (folder / "coffee.jpg.xmp").read_text() == "not xmp at all"
    assert session.doc.user_tags(coffee) == {"Drinks": True}

    # File › Write XMP Sidecars: every photo, with the model's tags as asked, Lightroom's names
    window.apply_settings(
        replace(window.current_settings(), xmp_keep=False, xmp_model_tags=True, xmp_naming="xmp")
    )
    window.problems.setVisible(False)
    window.commands.write_sidecars.trigger()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    message = window.statusBar().currentMessage()
    assert message.startswith("Writing XMP sidecars: 3 sidecars written"), message
    assert not window.problems.isVisible()
    assert "Animals/Cat" in sidecar_says(folder / "chelsea.jpg")[0]  # read from chelsea.xmp too
    assert (folder / "chelsea.xmp").exists() and (folder / "coffee.xmp").exists()
