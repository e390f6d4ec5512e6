#!/usr/bin/env bash
# Installs this Shotplanner bundle for one user (default ~/.local) or system-wide (PREFIX=/usr/local, as
# root): the app folder, a `shotplanner` command, the menu entry, the AppStream metadata and the icons.
# Usage: ./install.sh [PREFIX]        Uninstall: ./install.sh --uninstall [PREFIX]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
uninstall=false
if [[ "${1:-}" == "--uninstall" ]]; then uninstall=true; shift; fi
prefix="${1:-$HOME/.local}"
app_id=io.github.shotplanner.Shotplanner
app="$prefix/lib/shotplanner"
files=("$prefix/bin/shotplanner" "$prefix/share/applications/$app_id.desktop"
       "$prefix/share/metainfo/$app_id.metainfo.xml")
while IFS= read -r icon; do files+=("$prefix/share/icons/$icon"); done < <(cd "$here/share/icons" && find . -type f)

refresh_caches() {
  # The desktop's shared caches, where the tools exist; the menu entry works without them after a re-login.
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$prefix/share/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
  fi
}

if $uninstall; then
  rm -rf "$app"
  rm -f "${files[@]}"
  refresh_caches
  echo "install: removed Shotplanner from $prefix"
  exit 0
fi
[[ -x "$here/shotplanner" && -d "$here/_internal" ]] || { echo "install: run this from the bundle's folder"; exit 1; }
mkdir -p "$prefix/bin" "$prefix/lib"
if [[ "$here" != "$app" ]]; then
  rm -rf "$app.new"
  cp -a "$here" "$app.new"
  rm -rf "$app"
  mv "$app.new" "$app"
fi
ln -sfn "$app/shotplanner" "$prefix/bin/shotplanner"
install -Dm644 "$here/share/applications/$app_id.desktop" "$prefix/share/applications/$app_id.desktop"
install -Dm644 "$here/share/metainfo/$app_id.metainfo.xml" "$prefix/share/metainfo/$app_id.metainfo.xml"
(cd "$here/share/icons" && find . -type f) | while IFS= read -r icon; do
  install -Dm644 "$here/share/icons/$icon" "$prefix/share/icons/$icon"
done
refresh_caches
echo "install: Shotplanner $("$app/shotplanner" --version | cut -d' ' -f2) in $app; command: $prefix/bin/shotplanner"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install: add $prefix/bin to your PATH to run 'shotplanner'";; esac
