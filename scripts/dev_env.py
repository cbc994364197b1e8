#!/usr/bin/env python3
"""Give a development checkout its `.env`, so that `manage.py` works there with no further settings.

Run by `make run` (standard library only, before anything else). With no `.env`, it writes one with
`DEBUG=true` and a freshly generated `SECRET_KEY`; with a `.env` that has no key (or an empty one),
it adds a key and leaves everything else as it is; with a key, it changes nothing. The file is
readable by its owner only and is never committed (`.gitignore` lists it). Production does not use
this: there `SECRET_KEY` comes from the server's environment, and the settings refuse to start
without it when DEBUG is off.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY_LINE = re.compile(r"^\s*(?:export\s+)?SECRET_KEY\s*=(?P<value>.*)$")
HEADER = (
    "# Written by `make run` for this development checkout; never commit it (.gitignore lists it).\n"
    "# See .env.example for every setting.\n"
)


def new_key() -> str:
    # URL-safe characters only: nothing a .env parser could read as a quote, comment or variable.
    return secrets.token_urlsafe(50)


def ensure(path: Path) -> str:
    """Make sure `path` holds a SECRET_KEY; return what was done."""
    if not path.exists():
        path.write_text(f"{HEADER}DEBUG=true\nSECRET_KEY={new_key()}\n")
        path.chmod(0o600)
        return "wrote"
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        match = KEY_LINE.match(line)
        if match:
            if match.group("value").strip().strip("'\""):
                return "kept"
            lines[i] = f"SECRET_KEY={new_key()}"  # the first SECRET_KEY line is the one that counts
            break
    else:
        lines += ["# Added by `make run` for this development checkout.", f"SECRET_KEY={new_key()}"]
    path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return "added a key to"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=ROOT / ".env")
    args = parser.parse_args()
    done = ensure(args.path)
    if done != "kept":
        print(f"{done} {args.path} (DEBUG and a generated SECRET_KEY for development; never commit it)")


if __name__ == "__main__":
    main()
