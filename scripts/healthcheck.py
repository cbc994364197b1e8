#!/usr/bin/env python3
"""The web container's health check (docker-compose.yml): the login page answers 200.

It asks as the TLS proxy in front of it would: for a host the server accepts (the first entry of
ALLOWED_HOSTS) and marked as HTTPS (X-Forwarded-Proto), so neither the host check nor the HTTPS
redirect of production settings turns a healthy server into a failure. Standard library only.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def host() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip()
        if name and name != "*" and not name.startswith("."):
            return name
    return "localhost"


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/accounts/login/"
    request = urllib.request.Request(url, headers={"Host": host(), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - a fixed http URL
            return 0 if response.status == 200 else 1
    except Exception as exc:  # any failure is "unhealthy"
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
