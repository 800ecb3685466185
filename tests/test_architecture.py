"""The shape of the code: its layers (import-linter's contracts in pyproject.toml), no private
names imported across modules, and files and functions small enough to hold in one's head.

Each check is shown to fail on the edges it is there to keep out, in a copy of the package with
that one import added.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "photo_tagger"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's check of the package under `root`, with the contracts of pyproject.toml."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env=dict(os.environ, PYTHONPATH=str(root)),
        capture_output=True,
        text=True,
        timeout=300,
    )


def private_imports(package: Path) -> list[str]:
    """`from a.b import _name` where `_name` belongs to another module: a private name used
    outside the module that owns it."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(package.parent)}: {alias.name}")
    return found


def oversized(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(package.parent)
        lines = len(source.splitlines())
        if lines > MAX_FILE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    return found


@pytest.fixture(scope="module")
def copy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def with_import(copy_root: Path, module: str, statement: str, name: str) -> Path:
    """A fresh copy of the package in which `module` (a path under photo_tagger/) has one more
    import."""
    root = copy_root / name
    shutil.copytree(PACKAGE, root / "photo_tagger", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(copy_root / "pyproject.toml", root / "pyproject.toml")
    target = root / "photo_tagger" / module
    target.parent.mkdir(parents=True, exist_ok=True)
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    target.write_text(text + f"\n{statement}  # noqa\n", encoding="utf-8")
    return root


def test_the_layers_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken." in result.stdout


# Each edge the layering keeps out, and the contract that catches it.
EDGES = [
    # the export reaching up into the command line (what made the only import cycle)
    ("metadata/export.py", "from photo_tagger.cli.main import main", "Layers"),
    # the window borrowing the command line's constants
    ("gui/cloud_jobs.py", "from photo_tagger.cli import models", "Layers"),
    # the server pulling in the sync client (and `requests` with it)
    ("server/app.py", "from photo_tagger.store import sync", "sync client"),
    # a docs tool inside the window's package starting the server
    ("gui/screenshots.py", "import photo_tagger.server.run", "Layers"),
    # the core reaching up into the application layer, or into the window
    ("vision/pipeline.py", "import photo_tagger.app.thresholds", "Layers"),
    ("store/library.py", "import photo_tagger.gui.session", "Layers"),
    ("store/library.py", "import PySide6.QtCore", "neither Qt"),
    ("metadata/model.py", "import fastapi", "neither Qt"),
    # the server importing the window
    ("server/app.py", "import photo_tagger.gui.window", "Layers"),
    # the command line opening the window other than through its gui command
    ("cli/scan.py", "import photo_tagger.gui.window", "gui command only"),
    # a cycle inside a package
    ("store/rules.py", "import photo_tagger.store.library", "cycles"),
    # a package the layers do not place
    ("extras/__init__.py", "import photo_tagger.errors", "Layers"),
]


@pytest.mark.parametrize(("module", "statement", "contract"), EDGES)
def test_each_edge_breaks_the_layers(
    copy_root: Path, module: str, statement: str, contract: str
) -> None:
    name = f"edge{EDGES.index((module, statement, contract))}"
    root = with_import(copy_root, module, statement, name)
    result = lint_imports(root)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout
    importer = Path(module).parent.name if module.endswith("__init__.py") else Path(module).stem
    assert importer in broken, result.stdout  # this edge is the one reported


def test_no_private_name_is_imported_from_another_module(copy_root: Path) -> None:
    assert private_imports(PACKAGE) == []
    root = with_import(
        copy_root, "server/inference.py", "from photo_tagger.server.app import _read_body", "priv"
    )
    assert private_imports(root / "photo_tagger") == [
        "photo_tagger/server/inference.py: _read_body"
    ]


def test_files_and_functions_stay_small() -> None:
    assert oversized(PACKAGE) == []


def test_the_window_shows_before_the_heavy_parts_load() -> None:
    """The window paints its first frame before numpy, the models, the document, the image
    decoders and the HTTP client are loaded: they come with the library, off the first paint."""
    heavy = ("numpy", "onnxruntime", "pycrdt", "cv2", "PIL", "rawpy", "requests")
    code = (
        "import sys, photo_tagger.gui.app, photo_tagger.gui.window; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
