#!/usr/bin/env bash
# macOS: turn the PyInstaller one-folder build into photo-tagger.app inside a .dmg.
# Runs on a macOS runner (.github/workflows/package.yml); it needs iconutil and hdiutil.
# Signing and notarisation need an Apple Developer ID: set CODESIGN_IDENTITY to sign.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/photo_tagger/__init__.py")
dist=$root/build/dist/photo-tagger
app=$root/build/macos/photo-tagger.app
rm -rf "$root/build/macos" && mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp -R "$dist/" "$app/Contents/MacOS/"
iconset=$root/build/macos/photo-tagger.iconset && mkdir -p "$iconset"
for s in 16 32 128 256 512; do
  sips -z $s $s "$root/resources/icons/photo-tagger.png" --out "$iconset/icon_${s}x${s}.png" >/dev/null
done
iconutil -c icns "$iconset" -o "$app/Contents/Resources/photo-tagger.icns"
cat > "$app/Contents/MacOS/photo-tagger-gui" <<'SH'
#!/bin/sh
exec "$(dirname "$0")/photo-tagger" gui "$@"
SH
chmod +x "$app/Contents/MacOS/photo-tagger-gui"
cat > "$app/Contents/Info.plist" <<PLIST
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>CFBundleName</key><string>photo-tagger</string>
  <key>CFBundleIdentifier</key><string>org.phototagger.app</string>
  <key>CFBundleVersion</key><string>$version</string>
  <key>CFBundleShortVersionString</key><string>$version</string>
  <key>CFBundleExecutable</key><string>photo-tagger-gui</string>
  <key>CFBundleIconFile</key><string>photo-tagger.icns</string>
  <key>CFBundlePackageType</key><string>APPL</string>
  <key>NSHighResolutionCapable</key><true/>
  <key>LSMinimumSystemVersion</key><string>11.0</string>
</dict></plist>
PLIST
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --sign "$CODESIGN_IDENTITY" "$app"
fi
hdiutil create -volname photo-tagger -srcfolder "$app" -ov -format UDZO \
  "$root/build/macos/photo-tagger-$version.dmg"
echo "$root/build/macos/photo-tagger-$version.dmg"
