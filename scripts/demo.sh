#!/usr/bin/env bash
# The README's main command: install, then run the demo.
# With a screen ($DISPLAY or $WAYLAND_DISPLAY): the demo server plus the window, kiosk and
# display clients with simulated devices. Without one: a scripted busy hour, headless,
# writing ./artifacts/ (screenshots, printed slips as text and PNG, LED frames, summary).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec python3 -m hall_client demo --gui "$@"
fi
export QT_QPA_PLATFORM=offscreen
exec python3 -m hall_client demo --headless --artifacts ./artifacts "$@"
