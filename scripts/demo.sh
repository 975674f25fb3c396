#!/usr/bin/env bash
# Installs what is needed and starts the Zhenjiang demo (embedded SQLite in var/, demo data,
# live server). Prints the URL and the demo logins. Extra arguments go to `zhifa demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/zhifa demo "$@"
