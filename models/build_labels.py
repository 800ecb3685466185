"""Write models/imagenet_labels.txt: the 1000 ImageNet class names, one per line, in class order.

Source: torchvision's wheel (BSD-3-Clause), `torchvision/models/_meta.py`, read as text (PyPI's
Linux torchvision will not import beside a CPU build of torch, and we only need the list).

    pip download --no-deps torchvision==0.29.1 -d models/work
    .venv-models/bin/python models/build_labels.py models/work/torchvision-0.29.1-*.whl
"""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "imagenet_labels.txt"


def categories_from_wheel(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read("torchvision/models/_meta.py").decode("utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_IMAGENET_CATEGORIES" for t in node.targets
        ):
            names = ast.literal_eval(node.value)
            break
    else:
        raise SystemExit("_IMAGENET_CATEGORIES not found in the wheel")
    if len(names) != 1000:
        raise SystemExit(f"expected 1000 ImageNet classes, found {len(names)}")
    return list(names)


def main() -> None:
    wheel = Path(sys.argv[1])
    OUT.write_text("\n".join(categories_from_wheel(wheel)) + "\n", encoding="utf-8")
    with zipfile.ZipFile(wheel) as zf:
        lic = next(n for n in zf.namelist() if n.endswith(".dist-info/LICENSE"))
        (OUT.parent / "licenses" / "torchvision-LICENSE").write_bytes(zf.read(lic))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
