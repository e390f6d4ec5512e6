#!/usr/bin/env bash
# `make bundle`: the PyInstaller one-dir bundle in dist/shotplanner/ (run dist/shotplanner/shotplanner).
# Usage: scripts/bundle.sh [DIST_DIR]  (the build's scratch files go to DIST_DIR/../build/pyinstaller)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
dist="$(realpath -m "${1:-dist}")"
work="$(dirname "$dist")/build/pyinstaller"
if ! "$PYTHON" -c 'import PyInstaller' >/dev/null 2>&1; then
  echo "bundle: PyInstaller is missing; 'make setup' installs it (the bundle extra)."
  exit 1
fi
# This tree's package, whatever else is installed: the spec collects every shotplanner module by import.
PYTHONPATH="$PWD" "$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$dist" --workpath "$work" \
  packaging/shotplanner.spec
# What a desktop needs beside the app, and the script that puts it all in place (packaging/install.sh).
app_id=io.github.shotplanner.Shotplanner
out="$dist/shotplanner"
install -Dm644 "packaging/$app_id.desktop" "$out/share/applications/$app_id.desktop"
install -Dm644 "packaging/$app_id.metainfo.xml" "$out/share/metainfo/$app_id.metainfo.xml"
mkdir -p "$out/share/icons"
cp -r packaging/icons/hicolor "$out/share/icons/"
install -m755 packaging/install.sh "$out/install.sh"
install -m644 packaging/THIRD_PARTY.md "$out/THIRD_PARTY.md"
echo "bundle: $dist/shotplanner/shotplanner ($(du -sh "$dist/shotplanner" | cut -f1))"
