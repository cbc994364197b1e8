#!/usr/bin/env bash
# Production-mode smoke run for .ci/run: a fresh PostgreSQL database, then scripts/prod_smoke.py
# (collectstatic with DEBUG=false, the Dockerfile's gunicorn CMD, requests against it).
# Needs PostgreSQL on 127.0.0.1:5432 and REDIS_URL; SMOKE_DB names the database (dropped and re-made).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${SMOKE_DB:-suggestions_smoke}
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db}" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${db}" >/dev/null
DATABASE_URL=postgres://postgres@127.0.0.1:5432/${db} \
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15} \
  .venv/bin/python scripts/prod_smoke.py
