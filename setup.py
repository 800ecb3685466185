"""The wheel and the sdist carry what the app reads at run time: the shipped models (each model's
ONNX file in the variant its manifest entry says the app runs, among them the server's cloud model;
manifest, tag vocabulary, class names, licences) and resources/ (signing keys, sample photos,
icons). In the wheel they sit inside the package, as
photo_tagger/shipped/models/ and photo_tagger/shipped/resources/, where `photo_tagger.shipped()`
finds them; in a source checkout and in the frozen app they stay beside the package.

Everything else is in pyproject.toml. The other variants (references) and the scripts that rebuild
the models are not installed: the app never loads them.
"""

import json
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

SHIPPED = {
    "photo_tagger.shipped.models": "models",
    "photo_tagger.shipped.resources": "resources",
}


def model_files() -> list[str]:
    """Each model's file in the variant the app runs ("int8" where its entry names none)."""
    manifest = json.loads((Path(__file__).parent / "models" / "manifest.json").read_text())
    models = manifest["models"].values()
    return sorted(m["files"][m.get("variant", "int8")]["file"] for m in models)


DATA = {
    "photo_tagger.shipped.models": [
        *model_files(),
        "manifest.json",
        "tagger_vocabulary.json",
        "imagenet_labels.txt",
        "coco_labels.txt",
        "README.md",
        "licenses/*",
    ],
    "photo_tagger.shipped.resources": ["keys/*", "samples/*", "icons/*", "map/*"],
}


class BuildPy(build_py):
    """Data only from the shipped folders: models/ also holds the scripts that rebuild them."""

    def find_package_modules(self, package, package_dir):
        if package in SHIPPED:
            return []
        return super().find_package_modules(package, package_dir)


setup(
    packages=[*find_packages(include=["photo_tagger", "photo_tagger.*"]), *SHIPPED],
    package_dir=SHIPPED,
    package_data=DATA,
    cmdclass={"build_py": BuildPy},
)
