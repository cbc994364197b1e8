"""Settings of bench/http_load.py's gunicorn (and of the bench process that makes its sessions): the
project's settings with the bench URLconf (the bare JSON view and the twin beside every project URL),
any Host header, and plain HTTP on loopback (no redirect to HTTPS)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
