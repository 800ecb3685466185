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
"$bin" scan "$tmp/photos" --library "$tmp/library" --quiet
"$bin" export --library "$tmp/library" > "$tmp/export.json"
python3 - "$tmp/export.json" <<'PY'
import json, os, sys
photos = {os.path.basename(p["paths"][0]): p for p in json.load(open(sys.argv[1]))["photos"]}
assert len(photos) == 10, sorted(photos)
assert len(photos["group.jpg"]["faces"]) == 6, photos["group.jpg"]["faces"]
assert "Animals/Cat" in photos["chelsea.jpg"]["tags"], photos["chelsea.jpg"]["tags"]
assert "Vehicles/Motorcycle" in photos["motorcycle.jpg"]["tags"]
people = {photos[n]["faces"][0]["person"] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")}
assert len(people) == 1, people
print("package test: the frozen app scanned the samples: 6 faces in the group photo, a cat, a motorcycle")
PY
