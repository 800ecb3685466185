"""Every way photo-tagger can fail, in one tree.

PhotoTaggerError
 ├── ModelError                 a shipped model is missing, altered or unreadable
 │    └── ModelIntegrityError   its sha256 does not match models/manifest.json
 ├── ImageError                 one photo could not be read (the scan skips it and reports why)
 │    ├── UnsupportedImageError   not an image format we read (or not an image at all)
 │    ├── CorruptImageError       truncated or damaged data
 │    └── ImageTooLargeError      more pixels than the decompression-bomb guard allows
 ├── LibraryError               the library folder or its files cannot be used
 │    └── LibraryVersionError     written by a newer photo-tagger than this one
 └── NotFoundError              a photo, tag or person named on the command line does not exist

Messages say what happened and what the user can do about it.
"""

from __future__ import annotations


class PhotoTaggerError(Exception):
    """Base of every error photo-tagger raises on purpose."""


class ModelError(PhotoTaggerError):
    """A model file is missing or cannot be loaded."""


class ModelIntegrityError(ModelError):
    """A model file's sha256 differs from the one in the manifest."""


class ImageError(PhotoTaggerError):
    """A photo could not be decoded; the scan skips it and reports this reason."""


class UnsupportedImageError(ImageError):
    pass


class CorruptImageError(ImageError):
    pass


class ImageTooLargeError(ImageError):
    pass


class LibraryError(PhotoTaggerError):
    """The library folder or its database cannot be opened or written."""


class LibraryVersionError(LibraryError):
    pass


class NotFoundError(PhotoTaggerError):
    """Something named by the user is not in the library."""
