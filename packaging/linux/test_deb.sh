#!/usr/bin/env bash
# Unpack the .deb into a temporary root and run the frozen binary as a user would:
# --version, then a headless scan of the bundled sample photos, checked for faces and tags.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
deb=$(ls "$root"/build/deb/photo-tagger_*.deb | head -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -I "$deb" control >/dev/null
bin=$tmp/root/opt/photo-tagger/photo-tagger
[ -L "$tmp/root/usr/bin/photo-tagger" ]
[ -f "$tmp/root/usr/share/applications/photo-tagger.desktop" ]
[ -f "$tmp/root/usr/share/icons/hicolor/256x256/apps/photo-tagger.png" ]
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/photo_tagger/__init__.py")
"$bin" --version | grep -qx "photo-tagger $version"
samples=$(dirname "$(find "$tmp/root/opt/photo-tagger" -name group.jpg | head -n 1)")
cp -r "$samples" "$tmp/photos"
# what photos carry: a copy with a capture time and GPS (Lisbon), and a camera RAW (a DNG)
PYTHONPATH="$root" "$root/.venv/bin/python" - "$samples" "$tmp/photos" <<'PY'
import sys
from pathlib import Path

import cv2
from PIL import Image

from tests.imaging.dng import write_dng

samples, photos = Path(sys.argv[1]), Path(sys.argv[2])
with Image.open(samples / "coffee.jpg") as img:
    exif = img.getexif()
    exif.get_ifd(0x8769)[0x9003] = "2024:06:12 19:05:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (38, 42, 50.0), "W", (9, 8, 22.0)
    img.resize((img.width // 2, img.height // 2)).save(photos / "lisbon.jpg", exif=exif)
cat = cv2.cvtColor(cv2.imread(str(samples / "chelsea.jpg")), cv2.COLOR_BGR2RGB)
(photos / "IMG_0001.dng").write_bytes(write_dng(cat[: cat.shape[0] // 2 * 2, : cat.shape[1] // 2 * 2]))
PY
"$bin" scan "$tmp/photos" --library "$tmp/library" --quiet
"$bin" export --library "$tmp/library" > "$tmp/export.json"
python3 - "$tmp/export.json" <<'PY'
import json, os, sys
photos = {os.path.basename(p["paths"][0]): p for p in json.load(open(sys.argv[1]))["photos"]}
assert len(photos) == 12, sorted(photos)
assert "Places/Portugal/Lisbon" in photos["lisbon.jpg"]["tags"], photos["lisbon.jpg"]["tags"]
assert "Dates/2024/2024-06" in photos["lisbon.jpg"]["tags"]
assert "Animals/Cat" in photos["IMG_0001.dng"]["tags"], photos["IMG_0001.dng"]["tags"]
assert len(photos["group.jpg"]["faces"]) == 6, photos["group.jpg"]["faces"]
assert "Animals/Cat" in photos["chelsea.jpg"]["tags"], photos["chelsea.jpg"]["tags"]
assert "Vehicles/Motorcycle" in photos["motorcycle.jpg"]["tags"]
people = {photos[n]["faces"][0]["person"] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")}
assert len(people) == 1, people
print("package test: the frozen app scanned the samples: 6 faces in the group photo, a cat, a motorcycle, a photo placed in Lisbon, a RAW")
PY
