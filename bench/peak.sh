#!/usr/bin/env bash
# The session peak under locust (issue 13): gunicorn (production settings) and a Celery worker on
# PostgreSQL and Redis, a fresh database of its own with the people and their tokens, then locust
# headless. Prints the table of each endpoint's median and 95th percentile and fails on any error.
#
# Usage: bench/peak.sh [--write-docs]          the real run: 1,000 deputies for ten minutes
#        PEAK_DEPUTIES=50 PEAK_DURATION=1m bench/peak.sh      a one-minute smoke
# Settings (environment): PEAK_DEPUTIES (1000), PEAK_UNITS (30), PEAK_STAFF (5), PEAK_DURATION (10m),
#   PEAK_SPAWN_RATE (5 users/s), PEAK_WORKERS (gunicorn sync workers, 4), PEAK_PORT (8531),
#   PEAK_PG (postgres://postgres@127.0.0.1:5432), PEAK_DB (sugg_peak, dropped afterwards unless
#   PEAK_KEEP=1), PEAK_REDIS (redis://127.0.0.1:6379/8), PEAK_OUT (test-artifacts/peak).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
DEPUTIES=${PEAK_DEPUTIES:-1000}
UNITS=${PEAK_UNITS:-30}
STAFF=${PEAK_STAFF:-5}
DURATION=${PEAK_DURATION:-10m}
SPAWN_RATE=${PEAK_SPAWN_RATE:-5}
WORKERS=${PEAK_WORKERS:-4}
PORT=${PEAK_PORT:-8531}
PG=${PEAK_PG:-postgres://postgres@127.0.0.1:5432}
DB=${PEAK_DB:-sugg_peak}
OUT=${PEAK_OUT:-test-artifacts/peak}
BASE=http://127.0.0.1:${PORT}

psql_admin() { psql "${PG}/postgres" -v ON_ERROR_STOP=1 -qtAc "$1"; }

server_pid=""
worker_pid=""
cleanup() {
  for pid in $server_pid $worker_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $server_pid $worker_pid; do wait "$pid" 2>/dev/null || true; done
  if [ "${PEAK_KEEP:-0}" != 1 ]; then psql_admin "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$OUT" && mkdir -p "$OUT"
echo "== peak: fresh database ${DB}"
psql_admin "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)"
psql_admin "CREATE DATABASE ${DB}"

# Production settings over plain HTTP on loopback, as scripts/fuzz-api.sh runs them; e-mail to the
# console backend of the worker (its log), so nothing leaves the machine.
export DATABASE_URL=${PG}/${DB} REDIS_URL=${PEAK_REDIS:-redis://127.0.0.1:6379/8} DEBUG=false \
  ALLOW_INSECURE_SECRET=true SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
  SECURE_HSTS_SECONDS=0 SITE_URL=${BASE} LOG_LEVEL=WARNING \
  EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
$PY manage.py migrate --noinput -v 0
$PY bench/peak.py setup --out "$OUT" --deputies "$DEPUTIES" --units "$UNITS" --staff "$STAFF"

.venv/bin/gunicorn config.wsgi -c config/gunicorn.py --bind "127.0.0.1:${PORT}" --workers "$WORKERS" --timeout 120 \
  --access-logfile /dev/null --error-logfile "${OUT}/server.log" --capture-output &
server_pid=$!
.venv/bin/celery -A config worker --concurrency 1 --loglevel WARNING --without-gossip --without-mingle \
  >"${OUT}/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 1 60); do
  curl -sS -o /dev/null -w '%{http_code}' "${BASE}/api/v1/" 2>/dev/null | grep -q '^[24]' && break
  sleep 1
done

users=$((DEPUTIES + STAFF + 2 * UNITS))
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== peak: locust, ${users} users (${DEPUTIES} deputies) for ${DURATION}; load ${load_before}"
status=0
PEAK_PEOPLE="${OUT}/people.json" .venv/bin/locust -f bench/locustfile.py --headless --host "$BASE" \
  --users "$users" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 30 \
  --csv "${OUT}/peak" --only-summary --loglevel WARNING >"${OUT}/locust.log" 2>&1 || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
tail -n 40 "${OUT}/locust.log"

$PY bench/peak.py report --out "$OUT" --deputies "$DEPUTIES" --units "$UNITS" --staff "$STAFF" \
  --duration "$DURATION" --spawn-rate "$SPAWN_RATE" --workers "$WORKERS" \
  --load-before "$load_before" --load-after "$load_after" "$@" || status=$?
exit "$status"
