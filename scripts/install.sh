#!/usr/bin/env bash
# Installs everything the hall system and its tests need on a fresh Debian/Ubuntu machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
APT_PKGS="socat poppler-utils fonts-wqy-zenhei fonts-wqy-microhei fontconfig libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3 libpulse0"
# Qt's xcb platform plugin (a real screen), from `ldd` of libqxcb.so + libQt6XcbQpa (docs/layout.md):
APT_PKGS="$APT_PKGS libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1"
APT_PKGS="$APT_PKGS libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1"
APT_PKGS="$APT_PKGS libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxcb-xinerama0"
# the GUI start test: a virtual screen, and tools that see its windows
APT_PKGS="$APT_PKGS xvfb x11-utils xdotool"
# phone pages are tested in a real headless Chromium (Debian's, driven by its chromedriver)
APT_PKGS="$APT_PKGS chromium chromium-driver"
APT_PKGS="$APT_PKGS espeak-ng alsa-utils"  # the board's offline Mandarin calls (voice clips, aplay)
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq $missing >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
# the hall board's offline Mandarin calls: one clip per word, rendered once with espeak-ng (docs/client.md)
python3 -m hall_client.voice_clips render || echo "语音片段未生成（缺 espeak-ng）：综合屏叫号将只有提示音。"
