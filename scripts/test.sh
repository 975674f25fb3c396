#!/usr/bin/env bash
# Installs what is needed and runs the whole test suite: static checks, then every test on
# SQLite, then the database tests again on the real PostgreSQL server (127.0.0.1:5432).
# Under CI=true PostgreSQL is required; elsewhere its absence skips that run with a notice.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1

stage() { echo; echo "==> $* ($(date -u +%H:%M:%S))"; }

stage "static checks: ruff, mypy, import contracts, migration drift"
ruff check zhifa tests benchmarks
mypy
lint-imports
check_db="$(mktemp -d)/alembic-check.db"
ZHIFA_DATABASE_URL="sqlite:///$check_db" python -c "from zhifa.core.db import upgrade; upgrade()"
alembic -x "url=sqlite:///$check_db" check

stage "tests on SQLite"
ZHIFA_TEST_DB=sqlite pytest -q -p no:cacheprovider "$@"

stage "tests on PostgreSQL"
pg_up() { python - <<'PY'
import sys, psycopg
try:
    psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}
if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if pg_up; then
  ZHIFA_TEST_DB=postgresql pytest -q -p no:cacheprovider -m db "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "ERROR: PostgreSQL at 127.0.0.1:5432 is required under CI=true and is not reachable" >&2
  exit 1
else
  echo "NOTICE: PostgreSQL at 127.0.0.1:5432 is not reachable: the PostgreSQL run is SKIPPED" >&2
fi
