#!/usr/bin/env bash
# Wrap the PyInstaller one-folder build (build/dist/photo-tagger) into a .deb in build/deb/:
# the app in /opt/photo-tagger, `photo-tagger` on PATH, a desktop entry and an icon.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$root/build/dist/photo-tagger
[ -x "$dist/photo-tagger" ] || { echo "no PyInstaller build in $dist: run 'make package'" >&2; exit 2; }
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/photo_tagger/__init__.py")
arch=$(dpkg --print-architecture)
stage=$root/build/deb/photo-tagger_${version}_${arch}
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
         "$stage/usr/share/icons/hicolor/256x256/apps"
cp -a "$dist" "$stage/opt/photo-tagger"
ln -s /opt/photo-tagger/photo-tagger "$stage/usr/bin/photo-tagger"
install -m 644 "$root/packaging/linux/photo-tagger.desktop" "$stage/usr/share/applications/"
install -m 644 "$root/resources/icons/photo-tagger.png" "$stage/usr/share/icons/hicolor/256x256/apps/"
size=$(du -sk "$stage" | cut -f1)
# Qt's xcb platform plugin links to these system libraries; the rest is inside /opt/photo-tagger.
cat > "$stage/DEBIAN/control" <<CONTROL
Package: photo-tagger
Version: $version
Architecture: $arch
Maintainer: photo-tagger developers <dev@photo-tagger.invalid>
Installed-Size: $size
Depends: libc6, libegl1, libgl1, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-xkb1, libxcb-render-util0, libxcb-image0
Section: graphics
Priority: optional
Homepage: https://photo-tagger.invalid
Description: offline-first photo tagger
 Finds faces, groups them into people and tags every photo on your own
 machine, with quantized ONNX models. No upload, no account.
CONTROL
fakeroot dpkg-deb --build -Zgzip "$stage" "$root/build/deb/" >/dev/null
echo "$root/build/deb/photo-tagger_${version}_${arch}.deb"
