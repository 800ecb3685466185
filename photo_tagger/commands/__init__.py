"""Command-line commands beyond the core ones in cli.py, one module per area.

Each module has `register(sub, library_parent)`, which adds its subparsers (and imports nothing
heavy: handlers import what they need when they run).
"""
