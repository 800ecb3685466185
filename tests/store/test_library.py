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
