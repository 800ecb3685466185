"""Every way photo-tagger can fail, in one tree.

PhotoTaggerError
 ├── ModelError                 a shipped model is missing, altered or unreadable
 │    ├── ModelIntegrityError   its sha256 does not match models/manifest.json
 │    └── ModelUpdateError      a model update was refused (bad signature, hash, size) or failed
 ├── ImageError                 one photo could not be read (the scan skips it and reports why)
 │    ├── UnsupportedImageError   not an image format we read (or not an image at all)
 │    ├── CorruptImageError       truncated or damaged data
 │    └── ImageTooLargeError      more pixels than the decompression-bomb guard allows
 ├── LibraryError               the library folder or its files cannot be used
 │    └── LibraryVersionError     written by a newer photo-tagger than this one
 ├── MetadataError              an XMP sidecar next to a photo cannot be read or written
 │    ├── SidecarFormatError      an existing sidecar is not XMP we can read (it is left untouched)
 │    └── SidecarWriteError       the photo's folder or its sidecar cannot be written (read-only)
 ├── NotFoundError              a photo, tag or person named on the command line does not exist
 ├── TagNameError               a tag name that cannot be stored (empty part, control character)
 ├── SyncError                  a sync with the server did not happen (local edits stay, and wait)
 │    ├── SyncNotConfiguredError  no server and token remembered for this library yet
 │    ├── SyncOfflineError        the server cannot be reached (no network, down, timed out)
 │    ├── SyncRefusedError        the server refused the token (401/403): revoked or mistyped
 │    └── SyncServerError         the server answered with an error, or with something unreadable
 ├── ServerError                the sync server cannot start or use its database
 └── EscalationError            photos for the cloud model were not sent (they stay queued)
      ├── EscalationNotConfiguredError  escalation is off, or has no endpoint or token
      ├── EscalationOfflineError        no endpoint passed its health check (no network, down)
      └── EscalationRefusedError        an endpoint refused the token (401/403)

Messages say what happened and what the user can do about it.
"""

from __future__ import annotations


class PhotoTaggerError(Exception):
    """Base of every error photo-tagger raises on purpose."""


class ModelError(PhotoTaggerError):
    """A model file is missing or cannot be loaded."""


class ModelIntegrityError(ModelError):
    """A model file's sha256 differs from the one in the manifest."""


class ModelUpdateError(ModelError):
    """A model update was refused or could not finish; the models in use stay as they were."""


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


class MetadataError(PhotoTaggerError):
    """A sidecar could not be read or written; an export reports it with the photo's path."""


class SidecarFormatError(MetadataError):
    pass


class SidecarWriteError(MetadataError):
    pass


class NotFoundError(PhotoTaggerError):
    """Something named by the user is not in the library."""


class TagNameError(PhotoTaggerError):
    """A tag name the user typed (or a program passed) cannot be stored as it is."""


class SyncError(PhotoTaggerError):
    """A sync did not happen; the library's edits are saved locally and go up at the next one."""


class SyncNotConfiguredError(SyncError):
    pass


class SyncOfflineError(SyncError):
    pass


class SyncRefusedError(SyncError):
    pass


class SyncServerError(SyncError):
    pass


class ServerError(PhotoTaggerError):
    """The sync server's configuration or database cannot be used."""


class EscalationError(PhotoTaggerError):
    """Photos were not sent to the cloud model; they stay queued for the next try."""


class EscalationNotConfiguredError(EscalationError):
    pass


class EscalationOfflineError(EscalationError):
    pass


class EscalationRefusedError(EscalationError):
    pass
