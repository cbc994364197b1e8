#!/usr/bin/env python3
"""Back up and restore the database and the uploaded files (`make backup`, `make restore`).

    scripts/backup.py backup [--dest backups]          -> backups/<UTC timestamp>/
    scripts/backup.py restore [DIR] [--yes]            -> DIR defaults to the newest backup

A backup directory holds `db.dump` (PostgreSQL, pg_dump's custom format) or `db.sqlite3` (SQLite,
copied with SQLite's online backup API, so a running app does not tear it), `media.tar.gz` (every
file under MEDIA_ROOT) and `manifest.json` (what, when, sizes and SHA-256 of each part).

Restore writes into the database named by DATABASE_URL (create it empty first; existing tables are
dropped and replaced) and unpacks the files into MEDIA_ROOT. Configuration is the app's own
(environment / .env), so the same variables that run the app say where to restore.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")  # the key is not used here


def _settings():
    from django.conf import settings

    return settings.DATABASES["default"], Path(settings.MEDIA_ROOT)


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    args = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or "postgres"),
    ]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise SystemExit(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(dest_root: Path) -> Path:
    db, media = _settings()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = dest_root / stamp
    dest.mkdir(parents=True, exist_ok=False)
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "postgresql":
        args, env = _pg_env(db)
        part = dest / "db.dump"
        dump = [
            _tool("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "-f",
            str(part),
            db["NAME"],
        ]
        subprocess.run(dump, check=True, env=env)  # noqa: S603 (our own configuration, no shell)
    elif engine == "sqlite3":
        part = dest / "db.sqlite3"
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(part))
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        raise SystemExit(f"backup: unsupported database engine {db['ENGINE']}")
    archive = dest / "media.tar.gz"
    files = 0
    with tarfile.open(archive, "w:gz") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(media)))
                    files += 1
    manifest = {
        "created": stamp,
        "engine": engine,
        "database": db["NAME"] if engine == "postgresql" else Path(db["NAME"]).name,
        "media_files": files,
        "parts": {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in (part, archive)},
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(dest)
    return dest


def _latest(root: Path) -> Path:
    candidates = sorted(p for p in root.iterdir() if (p / "manifest.json").is_file()) if root.is_dir() else []
    if not candidates:
        raise SystemExit(f"restore: no backup under {root}")
    return candidates[-1]


def restore(source: Path) -> None:
    db, media = _settings()
    manifest = json.loads((source / "manifest.json").read_text())
    for name, part in manifest["parts"].items():
        if _sha256(source / name) != part["sha256"]:
            raise SystemExit(f"restore: {name} does not match its checksum; the backup is damaged")
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine != manifest["engine"]:
        raise SystemExit(f"restore: the backup is {manifest['engine']}, DATABASE_URL is {engine}")
    if engine == "postgresql":
        args, env = _pg_env(db)
        load = [_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--exit-on-error", "-d", db["NAME"], str(source / "db.dump")]  # fmt: skip
        subprocess.run(load, check=True, env=env)  # noqa: S603 (our own configuration, no shell)
    else:
        target = Path(db["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "db.sqlite3", target)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        tar.extractall(media, filter="data")  # no absolute paths, no `..`, no devices
    print(f"restored {source} into {db['NAME']} and {media}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup")
    b.add_argument("--dest", type=Path, default=Path(os.environ.get("BACKUP_DIR", ROOT / "backups")))
    r = sub.add_parser("restore")
    r.add_argument("source", type=Path, nargs="?")
    r.add_argument("--from-dir", type=Path, default=Path(os.environ.get("BACKUP_DIR", ROOT / "backups")))
    r.add_argument("--yes", action="store_true", help="do not ask before replacing the database's contents")
    args = parser.parse_args(argv)

    import django

    django.setup()
    if args.command == "backup":
        backup(args.dest)
        return
    source = args.source or _latest(args.from_dir)
    if not args.yes and sys.stdin.isatty():
        db, media = _settings()
        answer = input(f"Replace the contents of database {db['NAME']} and {media} with {source}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            raise SystemExit("restore: cancelled")
    restore(source)


if __name__ == "__main__":
    main()
