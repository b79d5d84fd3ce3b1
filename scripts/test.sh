#!/usr/bin/env bash
# Installs, then runs the whole test suite (SQLite, and PostgreSQL when one answers locally).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export QT_QPA_PLATFORM=offscreen
if [ -z "${HALL_TEST_PG_URL:-}" ] && python3 - <<'PY' 2>/dev/null
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
PY
then
  export HALL_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
  echo "PostgreSQL answers on 127.0.0.1:5432: the API suite runs on it too"
fi
lint-imports --config setup.cfg
python3 -m pytest tests "$@"
