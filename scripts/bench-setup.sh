#!/usr/bin/env bash
# Extra packages for the benchmarks only: PostGIS for the routing comparison (Debian's
# postgresql-15-postgis-3, matching this machine's PostgreSQL 15). Not needed by the platform.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql-15-postgis-3 >/dev/null
fi
