"""The application layer: what the window, the command line and the server do, once.

One module a use case, each joining the core packages (files, imaging, vision, people, store,
context, duplicates, metadata, cloud) to do one thing a user asks for. The core packages take and
return plain data and never import this package; the window, the command line and the server call
it and never reach around it.
"""
