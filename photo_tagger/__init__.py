"""photo-tagger: an offline-first desktop photo tagger."""

from pathlib import Path

__version__ = "0.1.0"


def shipped(name: str) -> Path:
    """The folder `name` ("models", "resources") shipped with the app: inside the package once
    installed from a wheel (`shipped/`, setup.py), else beside it (a source checkout, an editable
    install, the frozen app of packaging/photo-tagger.spec)."""
    package = Path(__file__).resolve().parent
    inside = package / "shipped" / name
    return inside if inside.is_dir() else package.parent / name
