#!/usr/bin/env bash
# Fuzz the REST API with schemathesis, a real OpenAPI client: it reads /api/schema/, generates valid
# and invalid requests for every operation (phases: examples, coverage, fuzzing, and stateful
# sequences that feed one answer's ids into the next request), and checks every answer.
#
# It fails on any of:
#   not_a_server_error           no 5xx, whatever the input;
#   status_code_conformance      every status answered is documented for its operation;
#   content_type_conformance     the answer's content type is the documented one;
#   response_schema_conformance  the body matches the documented schema.
# The other checks are deliberately left out: negative_data_rejection / positive_data_acceptance
# would flag answers that are right here (a syntactically valid id of an object that does not exist
# is a 404, valid-looking input the services refuse by state is a 409, and staff-only writes answer
# 403 to a deputy), and the access rules are tested by the permission-matrix test, not by guessing.
#
# Fuzzing as staff creates and changes records, so it runs against a database of its own
# (created from scratch with the demo data and dropped afterwards), never the CI or dev one.
#
# Usage: scripts/fuzz-api.sh              (bounded: a few minutes; used by .ci/run)
#   FUZZ_MAX_EXAMPLES=50 scripts/fuzz-api.sh   (longer)   FUZZ_SEED=123 …   (reproduce a run)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${FUZZ_PORT:-8519}
PG=${FUZZ_PG:-postgres://postgres@127.0.0.1:5432}
DB=${FUZZ_DB:-suggestions_fuzz}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-8}
USERS=${FUZZ_USERS:-staff deputy}
REPORT_DIR=${FUZZ_REPORT_DIR:-test-artifacts/fuzz}
BASE=http://127.0.0.1:${PORT}

psql_admin() { psql "${PG}/postgres" -v ON_ERROR_STOP=1 -qtAc "$1"; }

server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql_admin "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== fuzz: fresh database ${DB} with the demo data"
psql_admin "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)"
psql_admin "CREATE DATABASE ${DB}"

# The production settings (DEBUG off), over plain HTTP on loopback; no Redis, so nothing is queued
# for a worker that is not running and no other step's Redis database is touched.
export DATABASE_URL=${PG}/${DB} DEBUG=false ALLOW_INSECURE_SECRET=true SECURE_SSL_REDIRECT=false \
  SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 WHITENOISE_USE_FINDERS=true \
  SITE_URL=${BASE} LOG_LEVEL=WARNING
unset REDIS_URL
mkdir -p "$REPORT_DIR"
# Pages (the 404 page of a probe outside /api/) need the static manifest, as in production.
export STATIC_ROOT="${REPORT_DIR}/static"
$PY manage.py collectstatic --noinput -v 0 2>"${REPORT_DIR}/collectstatic.log" \
  || echo "== fuzz: collectstatic failed (${REPORT_DIR}/collectstatic.log); pages outside /api/ may answer 500"
$PY manage.py migrate --noinput -v 0
$PY manage.py load_demo >/dev/null

.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --timeout 60 \
  --access-logfile /dev/null --error-logfile "${REPORT_DIR}/server.log" --capture-output &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "${BASE}/api/schema/" 2>/dev/null && break
  sleep 1
done

token_for() {
  curl -fsS -X POST -d "username=$1" -d "password=jiangmen2020" "${BASE}/api/v1/auth/token/" \
    | $PY -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# Every user's token is taken before any fuzzing: the fuzzer itself posts to the token endpoint
# (wrong passwords, odd bodies) and so uses up the login throttle a later token request would need.
declare -A tokens
for user in $USERS; do tokens[$user]=$(token_for "$user"); done

status=0
for user in $USERS; do
  echo "== fuzz: schemathesis as ${user} (at most ${MAX_EXAMPLES} examples per operation)"
  token=${tokens[$user]}
  # The coverage phase (every boundary value of every parameter) is most of the run's time; it runs
  # for staff, who reach every operation; the other users get the examples, fuzzing and stateful phases.
  phases=examples,fuzzing,stateful
  if [ "$user" = "${FUZZ_FULL_USER:-staff}" ]; then phases=examples,coverage,fuzzing,stateful; fi
  seed_args=()
  if [ -n "${FUZZ_SEED:-}" ]; then seed_args=(--seed "$FUZZ_SEED"); fi
  .venv/bin/schemathesis run "${BASE}/api/schema/" \
    --header "Authorization: Token ${token}" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases "$phases" \
    --max-examples "$MAX_EXAMPLES" \
    --workers 2 \
    --request-timeout 60 \
    --generation-database none \
    --suppress-health-check all \
    --no-color \
    --report junit --report-junit-path "${REPORT_DIR}/schemathesis-${user}.xml" \
    "${seed_args[@]}" || status=1
done

# Belt and braces: no API request may have failed inside the app, whatever schemathesis concluded.
if grep -q "Internal Server Error: /api/" "${REPORT_DIR}/server.log"; then
  echo "== fuzz: the server logged errors under /api/ (see ${REPORT_DIR}/server.log)"
  status=1
fi
exit $status
