"""The store: the shared CRDT document, its durable local log, and the local index.

- `library.Library`: a library folder, opened as a whole (document + index + thumbnails).
- `document.LibraryDocument`: typed reads and writes of the shared document.
- `persistence.DocumentLog`: the document's snapshot + update log in SQLite.
- `index.LocalIndex`: this computer's facts (paths, thumbnails, embeddings) in SQLite.
- `rules`: the document's merge rules as plain functions.

The only package that imports pycrdt; everything it hands out is plain Python.
"""
