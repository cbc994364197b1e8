"""The Docker image's build step, `DEBUG=false manage.py collectstatic`, works on the real static tree,
and a vendored file that names a source map it does not ship cannot break it (the reference is
dropped from the collected copy), while a genuinely missing asset still fails the build."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
STORAGE = "config.storage.StaticFilesStorage"


def test_collectstatic_with_debug_off_builds_the_real_tree(tmp_path):
    # The Dockerfile's command, with a server's environment (no PYTEST_VERSION, no key, no .env key).
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "false",
        "ALLOW_INSECURE_SECRET": "true",
        "SECRET_KEY": "",
        "STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js", "css/app.css"):
        hashed = tmp_path / manifest[name]
        assert hashed.exists() and hashed.with_name(hashed.name + ".gz").exists(), name
    # Bootstrap names maps it does not ship; the collected copies no longer do.
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js"):
        assert "sourceMappingURL" in (ROOT / "static" / name).read_text()
        assert "sourceMappingURL" not in (tmp_path / manifest[name]).read_text()


@pytest.fixture
def static_tree(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    (src / "vendor" / "lib").mkdir(parents=True)

    def build(files: dict[str, str]):
        for name, text in files.items():
            (src / name).write_text(text)
        with override_settings(
            STATICFILES_DIRS=[src],
            STATIC_ROOT=out,
            STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
            STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                      "staticfiles": {"BACKEND": STORAGE}},
        ):  # fmt: skip
            call_command("collectstatic", "--noinput", verbosity=0)
        manifest = json.loads((out / "staticfiles.json").read_text())["paths"]
        return lambda name: (out / manifest[name]).read_text()

    return build


def test_a_missing_source_map_is_dropped_and_a_shipped_one_kept(static_tree):
    collected = static_tree(
        {
            "vendor/lib/lib.min.js": "var a=1;\n//# sourceMappingURL=lib.min.js.map\n",
            "vendor/lib/lib.min.css": "a{color:red}\n/*# sourceMappingURL=lib.min.css.map */\n",
            "vendor/lib/kept.min.js": "var b=2;\n//# sourceMappingURL=kept.min.js.map\n",
            "vendor/lib/kept.min.js.map": '{"version":3,"sources":[],"mappings":""}',
        }
    )
    assert "sourceMappingURL" not in collected("vendor/lib/lib.min.js")
    assert "var a=1;" in collected("vendor/lib/lib.min.js")
    assert "sourceMappingURL" not in collected("vendor/lib/lib.min.css")
    assert "a{color:red}" in collected("vendor/lib/lib.min.css")
    # A map that is shipped is still referenced, by its hashed name.
    kept = collected("vendor/lib/kept.min.js")
    assert re.search(r"//# sourceMappingURL=kept\.min\.js\.[0-9a-f]{12}\.map", kept), kept


def test_a_missing_asset_still_fails_the_build(static_tree):
    with pytest.raises(ValueError, match=r"missing\.woff2"):
        static_tree({"vendor/lib/font.css": "@font-face{src:url(missing.woff2)}\n"})
