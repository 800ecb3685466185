"""The store: the shared CRDT document, its durable local log, the local index, and sync.

- `library.Library`: a library folder, opened as a whole (document + index + thumbnails);
  `paths`: where a library lives by default and the names of the files in its folder.
- `document.LibraryDocument`: typed reads and writes of the shared document (photos, tags,
  faces), built on `doc_marks.PhotoMarks` (ratings, favourites and rejects, `marks.Marks`),
  and on `photo_edits.PhotoEdits` (the user's rotations and hand-drawn faces),
  `face_people.FacePeople` (who each face is, the people) and
  `doc_layout.DocumentLayout` (the CRDT's roots, transactions, lookups kept in step); every value
  read is checked by `doc_values` (a malformed one, from another device, is skipped and
  remembered), `doc_check` lists such records and sets them aside, `doc_writes` checks the
  values an update writes (the sync server refuses malformed ones), and `doc_restore` computes
  the edit that sets the document back to an earlier state of it.
- `persistence.DocumentLog`: the document kept durable as a snapshot + update log, on
  `log_file.LogFile` (document.sqlite3's rows and this computer's settings for the library);
  `client_ids`: which client id the document writes under (the same few, where that is safe).
- `index.LocalIndex`: this computer's facts (paths, thumbnails, embeddings) in SQLite;
  `catalog`: the catalogue (every photo on disk, newest first) read from it on its own connection.
- `sqlite.Database`: what every SQLite file of a library is built on: connection, schema
  migrations, nested write batches.
- `rules`: the document's rules as plain functions (tag sources, tag names, merges).
- `sync`: the sync client, `background_sync` its thread in the window; `wire`: the sync
  protocol's framing and state vectors, as bytes; `http_limits`: every HTTP exchange capped in
  size and time (the sync, the cloud model and model updates use it).

The only package of the application that imports pycrdt (the sync server merges with it too);
everything it hands out is plain Python.
"""
