"""Backup and restore drill (issue 12): `make backup` on a database with suggestions, replies and
files; restored into a fresh database and an empty media directory, the restored instance serves the
same suggestions, the same figures and the same file bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from suggestions import services
from testing.factories import draft, suggestion_in_state

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill dumps and restores PostgreSQL"),
]

ROOT = Path(settings.BASE_DIR)
PDF = b"%PDF-1.4\n% backup drill\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def run(args: list[str], *, database: str, media: Path) -> str:
    env = {**os.environ, "DATABASE_URL": url(database), "MEDIA_ROOT": str(media), "ALLOW_INSECURE_SECRET": "true"}
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_serves_the_same(cast, settings, tmp_path):
    for state in ("replied", "handling", "registered"):
        suggestion_in_state(state, cast=cast, title=f"关于{state}的建议")
    with_files = draft(cast, title="关于附件的建议")
    services.suggestion_attach(suggestion=with_files, actor=cast.alice, files=[
        SimpleUploadedFile("现场照片.pdf", PDF), SimpleUploadedFile("说明.txt", "排涝站说明".encode()),
    ])  # fmt: skip
    services.suggestion_submit(suggestion=with_files, actor=cast.alice)

    media = Path(settings.MEDIA_ROOT)
    original_db = connection.settings_dict["NAME"]
    out = run(["scripts/backup.py", "backup", "--dest", str(tmp_path / "backups")], database=original_db, media=media)
    backup_dir = Path(out.strip().splitlines()[-1])
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql" and manifest["media_files"] == 2
    assert {"db.dump", "media.tar.gz"} == set(manifest["parts"])

    restored_db = f"{original_db}_restored"
    restored_media = tmp_path / "restored-media"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}"')
        cursor.execute(f'CREATE DATABASE "{restored_db}"')
    try:
        run(["scripts/backup.py", "restore", str(backup_dir), "--yes"], database=restored_db, media=restored_media)
        probe = ["config/tests/backup_probe.py", cast.sam.username]
        before = json.loads(run(probe, database=original_db, media=media))
        after = json.loads(run(probe, database=restored_db, media=restored_media))
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')

    assert before["suggestions"][0] == 200 and before["suggestions"][1]["count"] == 4
    assert before["units"][0] == 200 and before["units"][1]
    assert before["files"]["现场照片.pdf"][0] == 200 and before["files"]["现场照片.pdf"][2] == len(PDF)
    assert after == before
