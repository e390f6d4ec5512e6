#!/usr/bin/env bash
# Opens Shotplanner. Without a screen (a server, a container) it runs under Xvfb and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && "$(uname)" == "Linux" ]]; then
  echo "run: no display found; starting Shotplanner under Xvfb (invisible). Set DISPLAY to see it."
  exec xvfb-run -a .venv/bin/shotplanner "$@"
fi
exec .venv/bin/shotplanner "$@"
