"""The desktop window (PySide6): browse, see faces and people, edit tags, search.

It calls the layers below it (the application layer, photo_tagger.app, and the core packages);
only the command line's `gui` command opens it (`photo-tagger gui`, or
`photo_tagger.gui.app.main()`). Qt is imported by these modules only.

The window (window.py) lays out its parts and wires them: its commands and menus (actions.py),
the open library (library_controller.py, which opens and closes it as a `Session`, session.py,
through which every edit goes, as the undo commands of edits.py), what the grid shows
(grid_content.py, by the rules of facts.py), ratings, favourites and rejects (ratings.py, drawn
by marks_paint.py), the settings (settings.py, applied by preferences.py), and the links beyond
the library's folder (library_links.py; new models, tried on the library before the user
accepts them, in new_models.py and model_review.py).

Threads: the library (document and index) belongs to the UI thread. Work that takes long (scans,
decoding, reading the catalogue) runs off it through one `TaskRunner` (runner.py), and a scan's
writes come back to the UI thread in slices of a few milliseconds (`UiThreadCaller`). Tests swap in
`InlineRunner`, which runs every task at once on the calling thread.

Work that needs the library for long without the UI thread (the sync, the cloud model, a model
update, writing every XMP sidecar) opens its own copy of it off that thread, as a second program
would; the window then reads what it saved from the library's log (`library.log.refresh()`).
"""
