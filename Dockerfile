FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
# The application runs as an unprivileged user that owns nothing but the uploads directory.
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Built without a key (no request is served at build time); scripts/prod-smoke.sh runs these same
# steps and this CMD in CI.
RUN DEBUG=false ALLOW_INSECURE_SECRET=true python manage.py compilemessages -v 0 \
 && DEBUG=false ALLOW_INSECURE_SECRET=true python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/media && chown app:app /app/media
USER app
EXPOSE 8000
# config/gunicorn.py loads the app once in the master (preload) and warms what the first request would load.
CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
