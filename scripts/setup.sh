#!/usr/bin/env bash
# Installs everything Zhifa needs on a fresh Debian/Ubuntu machine: system packages (Chinese
# fonts, Chromium — it renders the enforcement documents to PDF and runs the browser tests —,
# poppler), a virtualenv in .venv and the package itself.
# Idempotent: a second run installs nothing new. Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SYSTEM_PACKAGES=(fonts-noto-cjk fonts-arphic-uming fonts-wqy-zenhei poppler-utils chromium)

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "==> installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "WARNING: no apt-get; please install: ${missing[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.zhifa-installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".$extras"
  touch "$stamp"
fi
