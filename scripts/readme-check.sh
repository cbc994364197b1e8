#!/usr/bin/env bash
# The README's commands, as a new developer runs them, on a fresh clone (for .ci/run):
#   PORT=<free port> make run   -> serves the login page (embedded SQLite, no Redis, no settings);
#   .venv/bin/python manage.py createsuperuser --noinput …   (DJANGO_SUPERUSER_PASSWORD) -> exit 0;
#   .venv/bin/python manage.py send_reminders               -> exit 0;
# then `make run` is stopped. The clone shares this checkout's virtualenv (built by `make test`):
# a fresh one takes minutes and tests pip, not the README.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
work=$(mktemp -d)
pid=""
started=$SECONDS
say() { echo "[$((SECONDS - started))s] $*"; }
stop_run() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  pid=""
}
cleanup() { stop_run; rm -rf "$work"; }
trap cleanup EXIT INT TERM

git clone -q "$src" "$work/clone"
cd "$work/clone"
ln -s "$src/.venv" .venv
touch .venv/.installed  # the shared virtualenv is up to date with these requirements
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A new developer's shell: no database, broker, key or DEBUG configured.
clean=(env -u DATABASE_URL -u REDIS_URL -u SECRET_KEY -u DEBUG -u ALLOW_INSECURE_SECRET -u ENV_FILE)
say "fresh clone in $work/clone; PORT=$port make run"
# Its own process group, so that stopping it stops the web server and the scheduler too.
setsid "${clean[@]}" PORT="$port" make run >"$work/make-run.log" 2>&1 &
pid=$!

url="http://127.0.0.1:${port}/accounts/login/"
code=""
for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$work/make-run.log"; echo "FAILED: make run exited before serving"; exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
  [ "$code" = 200 ] && break
  sleep 1
done
if [ "$code" != 200 ]; then tail -50 "$work/make-run.log"; echo "FAILED: $url answered '$code'"; exit 1; fi
say "make run serves $url (200)"
curl -sf --max-time 10 "http://127.0.0.1:${port}/static/vendor/bootstrap/bootstrap.min.css" -o /dev/null
say "its static files are served (DEBUG=true)"

grep -qx 'DEBUG=true' .env && grep -Eq '^SECRET_KEY=.{50,}$' .env \
  || { echo "FAILED: make run wrote no .env with DEBUG and a key"; cat .env; exit 1; }
git check-ignore -q .env || { echo "FAILED: .env is not ignored by git"; exit 1; }
[ -z "$(git status --porcelain -- . ":!.venv")" ] || { git status --porcelain; echo "FAILED: make run left files for git"; exit 1; }
say ".env written (DEBUG=true, a generated key), ignored by git"

"${clean[@]}" DJANGO_SUPERUSER_PASSWORD='readme-check-Pw-2026' \
  .venv/bin/python manage.py createsuperuser --noinput --username x --email x@example.org
say "manage.py createsuperuser --noinput: exit 0"
"${clean[@]}" .venv/bin/python manage.py send_reminders
say "manage.py send_reminders: exit 0"

stop_run
grep -q "Serving on http://127.0.0.1:${port}/" "$work/make-run.log" || { echo "FAILED: make run did not say where it serves"; exit 1; }
say "make run stopped; README commands pass"
