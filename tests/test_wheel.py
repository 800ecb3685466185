"""`pip install .` (not editable) gives a `photo-tagger` that scans: the wheel carries the shipped
models and resources, and the installed package finds them inside itself, not in a source tree.

The wheel is built from a copy of the tree and installed into a new virtual environment whose
dependencies (numpy, onnxruntime, ...) come from the environment running the tests; the command
runs outside any source tree, and the test checks that the package it imports is the installed
one.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = (
    ".git",
    ".venv*",
    ".run-library",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*cache",
)
LEFT_OUT += ("fp32", "work")  # the models' references and their build folder: never installed


def run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_an_installed_wheel_scans_with_the_models_and_resources_it_carries(
    tmp_path: Path,
) -> None:
    source, wheels, venv, work = (tmp_path / n for n in ("src", "wheels", "venv", "work"))
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_OUT), symlinks=True)
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "--no-build-isolation",
        "-w", wheels, source, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = wheels.glob("photo_tagger-*.whl")
    shutil.rmtree(source)  # nothing of the tree is left to be found by accident

    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # the dependencies of the environment running the tests (itself a virtual environment, which
    # --system-site-packages does not reach): its folders as plain paths, so that its editable
    # photo_tagger (an import hook started by a .pth file there) stays out
    (new_site,) = (venv / "lib").glob("python3*/site-packages")
    (new_site / "parent.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        wheel, cwd=tmp_path,
    )  # fmt: skip

    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PHOTO_TAGGER"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PHOTO_TAGGER_STATE"] = str(work / "state")
    where = json.loads(
        run(
            python, "-c",
            "import json, photo_tagger\n"
            "from photo_tagger.app.model_updates import SHIPPED_KEYS\n"
            "from photo_tagger.gui.app import samples_dir\n"
            "from photo_tagger.gui.map_data import world_file\n"
            "from photo_tagger.vision.model import default_models_dir\n"
            "print(json.dumps({'package': photo_tagger.__file__,"
            " 'models': str(default_models_dir()), 'keys': str(SHIPPED_KEYS),"
            " 'samples': str(samples_dir()), 'map': str(world_file())}))",
            cwd=work, env=env,
        )
    )  # fmt: skip
    installed = new_site / "photo_tagger"
    assert Path(where["package"]).is_relative_to(installed), where

    photos = work / "photos"
    photos.mkdir()
    for name in ("obama.jpg", "chelsea.jpg"):
        shutil.copy(ROOT / "tests" / "data" / "photos" / name, photos / name)
    library = work / "library"
    command = venv / "bin" / "photo-tagger"
    out = run(command, "scan", photos, "--library", library, cwd=work, env=env)
    assert "2 analysed" in out, out
    export = json.loads(run(command, "export", "--library", library, cwd=work, env=env))
    by_name = {Path(p["paths"][0]).name: p for p in export["photos"]}
    assert len(by_name["obama.jpg"]["faces"]) == 1
    assert "Animals/Cat" in by_name["chelsea.jpg"]["auto"]

    # what the window and the updater read, inside the installed package too
    for name in ("models", "keys", "samples"):
        assert Path(where[name]).is_relative_to(installed / "shipped"), where
    assert (Path(where["keys"]) / "README.md").is_file()
    assert len(list(Path(where["samples"]).glob("*.jpg"))) >= 10
    assert Path(where["map"]).is_relative_to(installed / "shipped"), where
    assert Path(where["map"]).is_file() and (Path(where["map"]).parent / "NOTICE.md").is_file()
    assert not list(Path(where["models"]).glob("build_*.py"))  # the rebuild scripts stay home
