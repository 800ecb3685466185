"""Opening a library folder, and where it is when the user does not say."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from photo_tagger.errors import LibraryError
from photo_tagger.store.library import DOCUMENT_FILE, INDEX_FILE, Library
from photo_tagger.store.paths import default_library_dir
from tests.store.conftest import PHOTO


def test_open_creates_the_folder_and_its_files(tmp_path: Path) -> None:
    path = tmp_path / "new" / "library"
    with Library.open(path) as lib:
        assert lib.path == path
        assert lib.thumbs_dir == path / "thumbs" and lib.thumbs_dir.is_dir()
        assert (path / DOCUMENT_FILE).is_file() and (path / INDEX_FILE).is_file()
        assert lib.document.photo_count() == 0 and lib.index.photo_count() == 0
        lib.document.set_user_tag(PHOTO, "Family", True)
    lib.close()  # closing twice is harmless
    with Library.open(path) as lib:
        assert lib.document.user_tags(PHOTO) == {"Family": True}


def test_a_file_in_the_way_is_a_library_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LibraryError, match="Cannot create the library folder"):
        Library.open(blocker / "library")


def test_default_library_dir_prefers_the_environment(tmp_path: Path) -> None:
    assert default_library_dir({"PHOTO_TAGGER_LIBRARY": str(tmp_path)}) == tmp_path
    assert default_library_dir({"PHOTO_TAGGER_LIBRARY": "~/pics"}) == Path.home() / "pics"
    fallback = Path(platformdirs.user_data_dir("photo-tagger")) / "library"
    assert default_library_dir({}) == fallback
    assert default_library_dir({"PHOTO_TAGGER_LIBRARY": "  "}) == fallback


def test_what_the_photo_says_is_read_with_the_models_and_never_synced(tmp_path: Path) -> None:
    """Its place, date and event come from the index, need no threshold (a guess or suggestion
    is shown as such), lose to the user's word, and stay out of the shared document."""
    with Library.open(tmp_path / "lib") as lib:
        lib.document.set_auto_tags(PHOTO, {"Animals/Cat": 0.9, "Sky": 0.2}, "local", "tagger@2")
        lib.index.set_capture(PHOTO, "2024-06-12T19:05:00", False, None, None, None, None)
        lib.index.set_context(PHOTO, '{"Places/Portugal": 1.0, "Dates/2024": 0.5}')
        before = lib.document.encode_state_as_update()
        auto = lib.auto_tags(PHOTO)
        assert auto["Dates/2024"] == {"score": 0.5, "source": "photo", "model": "context@1"}
        assert auto["Animals/Cat"]["source"] == "local"
        assert lib.effective_tags(PHOTO, lambda tag: 0.6) == {
            "Places/Portugal": 1.0,
            "Dates/2024": 0.5,
            "Animals/Cat": 0.9,
        }
        lib.document.set_user_tag(PHOTO, "Places/Portugal", False)  # the user knows better
        assert "Places/Portugal" not in lib.effective_tags(PHOTO, lambda tag: 0.6)
        lib.index.set_context(PHOTO, '{"Places/Spain": 1.0}')
        assert lib.context_tags(PHOTO) == {"Places/Spain": 1.0}
        # the user's removal went into the document; the photo's own tags did not
        after = lib.document.encode_state_as_update().decode("latin-1")
        assert "Places/Portugal" in after and "Spain" not in after and "Dates" not in after
        assert "Dates" not in before.decode("latin-1")
