"""The command line: `photo-tagger COMMAND`, one module per area of commands.

`main.py` builds the parser and runs a command; each other module has `register(sub,
library_parent)`, which adds its subparsers and imports nothing heavy (handlers import what they
need when they run). The handlers parse arguments, call the application layer (`photo_tagger.app`)
and print what came of it.
"""

from photo_tagger.cli.main import main

__all__ = ["main"]
