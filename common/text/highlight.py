"""Marking the matched words in a text: escaped HTML with `<mark>`, safe to render as is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({t for t in terms if t}, key=len, reverse=True)  # longest first: 电排站 before 电排
    if not unique:
        return None
    return re.compile("|".join(re.escape(t) for t in unique), re.IGNORECASE)


def highlight(text: str, terms: Iterable[str], *, snippet: int | None = None) -> str:
    """`text` HTML-escaped, each occurrence of a term wrapped in `<mark>`.

    With `snippet`, only about that many characters around the first match (or the start), with
    an ellipsis where cut. The text is escaped piece by piece, so `<script>` in a title stays text.
    """
    text = text or ""
    pattern = _pattern(terms)
    if snippet is not None and len(text) > snippet:
        first = pattern.search(text) if pattern else None
        start = max(0, (first.start() if first else 0) - snippet // 4)
        end = min(len(text), start + snippet)
        text = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)
