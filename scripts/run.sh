#!/usr/bin/env bash
# Starts the web app and the periodic tasks. With REDIS_URL: a Celery worker with its
# beat scheduler; without: the same schedule (CELERY_BEAT_SCHEDULE) run in-process (no Redis needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
# Links in e-mails and webhook messages point at this server unless SITE_URL says otherwise.
export SITE_URL=${SITE_URL:-http://127.0.0.1:${PORT}}
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 &
else
  $PY manage.py run_scheduler &
fi
pids+=($!)

echo "Serving on http://127.0.0.1:${PORT}/  (demo accounts: see README.md)"
$PY manage.py runserver "0.0.0.0:${PORT}" --noreload &
pids+=($!)
wait -n "${pids[@]}"
