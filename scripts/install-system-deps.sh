#!/usr/bin/env bash
# System packages the tests need beyond Python: Chromium and its WebDriver (the HTML report and the
# clerk's web workspace are driven in a real headless browser), CJK fonts (Chinese in screenshots and
# rendered documents), LibreOffice Writer (DOCX rendered to PDF for page checks), poppler (PDF to PNG)
# and ClamAV's daemon (the scanning plugin's tests run clamd on a local signature database). Idempotent: installs only
# what is missing, and does nothing when everything is there. Debian/Ubuntu (apt) only.
set -euo pipefail

wanted=(chromium chromium-driver fonts-noto-cjk libreoffice-writer-nogui poppler-utils clamav-daemon)
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
