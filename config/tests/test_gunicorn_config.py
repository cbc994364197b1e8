"""config/gunicorn.py's warm start: what the master loads before forking, and that it is frozen out
of the cycle collector so the workers' collections walk only what their requests make."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[1] / "gunicorn.py"


@pytest.mark.django_db
def test_when_ready_loads_the_urlconf_and_the_segmenter_then_freezes_them():
    from common.text import segment

    settings = runpy.run_path(str(CONFIG))
    assert settings["preload_app"] is True
    before = gc.get_freeze_count()
    try:
        settings["when_ready"](server=None)
        assert segment._tokenizer is not None
        # The objects alive at that point (Django, every view module, the dictionary) are frozen.
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
