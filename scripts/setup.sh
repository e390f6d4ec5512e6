#!/usr/bin/env bash
# Shared set-up for `make run` and `make test`: the Debian libraries Qt needs, a virtual
# environment, and the package with its test extras. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

# Shared libraries the PySide6 wheels link against but do not bundle (ecosystem.md §5, §10),
# fonts for QPainter text (and a CJK TrueType font the PDF shot list embeds), Xvfb for running
# the window without a screen, the validators of the menu entry and AppStream metadata
# (tests/test_packaging.py), and the binary tools PyInstaller runs.
DEB_PACKAGES=(
  libegl1 libgl1 libx11-6 libx11-xcb1 libxext6 libxrandr2 libdbus-1-3 libfontconfig1
  libfreetype6 libglib2.0-0 libpulse0 libxkbcommon0 libxkbcommon-x11-0 libxcb1 libxcb-cursor0
  libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0
  libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 zlib1g libzstd1
  libatomic1 fontconfig fonts-dejavu-core fonts-droid-fallback xvfb xauth xdotool
  espeak-ng  # the animatic speaks a shot's dialogue on its scratch track (optional at run time)
  desktop-file-utils appstream
  binutils  # PyInstaller (make bundle) reads and writes the executable with objdump and objcopy
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${DEB_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
  done
  # Debian's own python3 needs python3-venv for `-m venv`; a pyenv or python.org build has it.
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
else
  echo "setup: not a Debian system; skipping system packages (install Qt's runtime libraries yourself)."
fi

if ((${#missing[@]})); then
  cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing. Run as root:"
    echo "  sudo sh -c '$cmd'"
    exit 1
  fi
fi

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "setup: Shotplanner needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))."
  exit 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the package definition changed (or the last install did not finish).
stamp="$VENV/.shotplanner-installed"
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing shotplanner with its test and bundle extras into $VENV"
  log="$VENV/pip-install.log"
  if ! { "$VENV/bin/python" -m pip install -q --upgrade pip &&
         "$VENV/bin/python" -m pip install -q -e '.[test,bundle]'; } >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "setup: pip install failed; the whole log is in $log"
    exit 1
  fi
  echo "$want" > "$stamp"
fi
