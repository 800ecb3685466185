"""Writing models/manifest.json from the build scripts (never imported by the app).

Each build script calls `record_model(key, entry)` for the model it produced; entries for other
models are left as they are, so the scripts can run one at a time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).resolve().parent
MANIFEST = MODELS_DIR / "manifest.json"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: Path) -> dict[str, Any]:
    """`{"file": relative path, "sha256": ..., "bytes": ...}` for a file under models/."""
    return {
        "file": str(path.resolve().relative_to(MODELS_DIR)),
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
    }


def record_model(key: str, entry: dict[str, Any]) -> None:
    """Replace the manifest's entry for `key`, keeping every other entry."""
    with open(MODELS_DIR / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {"models": {}}
        data.setdefault("models", {})[key] = entry
        data["models"] = dict(sorted(data["models"].items()))
        MANIFEST.write_text(json.dumps(data, indent=2) + "\n")
