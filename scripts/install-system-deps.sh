#!/usr/bin/env bash
# System packages the tests need beyond Python: Chromium (the HTML report is rendered in a real
# headless browser) and CJK fonts (Chinese labels in the screenshot). Idempotent: installs only
# what is missing, and does nothing when everything is there. Debian/Ubuntu (apt) only.
set -euo pipefail

wanted=(chromium fonts-noto-cjk)
missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: apt-get not found; install ${missing[*]} by hand (the browser test skips without chromium)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
