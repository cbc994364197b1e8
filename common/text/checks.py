"""Advice on texts, as pure functions: reply checks before sign-off and the drafting guidance a
deputy sees. They return findings; nothing here refuses or blocks anything."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .segment import words

BOILERPLATE = (
    "正在研究", "进一步研究", "研究解决", "供参考", "仅供参考", "积极协调", "积极争取", "逐步解决", "适时推进",
    "条件成熟时", "待条件成熟", "加强沟通", "高度重视", "认真研究", "统筹考虑", "择机", "尽快研究",
)  # fmt: skip
_NUMBERED = re.compile(
    r"(?:^|\n|[。；;：:])\s*(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]?\d+[)）、.．]|第[一二三四五六七八九十]+[,，、]?)"
)
_SPLIT_SENTENCE = re.compile(r"[。；;！!？?\n]+")
_DATE = re.compile(r"(\d{4}\s*年(\s*\d{1,2}\s*月)?|\d{4}[-/.]\d{1,2}|年底|年内|月底|上半年|下半年|季度)")


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str


def proposals(body: str) -> list[str]:
    """The suggestion's points: numbered items (一、 (1) 1.) when there are any, else sentences
    with a proposal verb; each at least a few characters long."""
    body = body or ""
    markers = list(_NUMBERED.finditer(body))
    if len(markers) >= 2:
        ends = [m.start() + 1 for m in markers[1:]] + [len(body)]  # keep the next marker's 。 out
        items = [body[m.end() : end] for m, end in zip(markers, ends, strict=True)]
        return [i.strip(" \n。；;") for i in items if len(i.strip(" \n。；;")) >= 4]
    sentences = [s.strip() for s in _SPLIT_SENTENCE.split(body) if len(s.strip()) >= 4]
    asks = [s for s in sentences if re.search(r"建议|希望|请求|呼吁|应当|应该|要求|尽快", s)]
    return asks or sentences[-1:]


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if len(w) >= 2}


def uncovered_points(suggestion_body: str, reply: str, threshold: float = 0.34) -> list[str]:
    """Points of the suggestion that no paragraph of the reply addresses: fewer than `threshold`
    of the point's words appear in any one paragraph."""
    paragraphs = [p for p in re.split(r"\n+", reply or "") if p.strip()] or [reply or ""]
    para_words = [_content_words(p) for p in paragraphs]
    missing = []
    for point in proposals(suggestion_body):
        need = _content_words(point)
        if not need:
            continue
        best = max((len(need & pw) / len(need) for pw in para_words), default=0.0)
        if best < threshold:
            missing.append(point)
    return missing


def boilerplate_phrases(reply: str) -> list[str]:
    return [p for p in BOILERPLATE if p in (reply or "")]


def _shingles(text: str, n: int = 8) -> set[str]:
    compact = re.sub(r"\s+", "", text or "")
    return {compact[i : i + n] for i in range(max(0, len(compact) - n + 1))}


def reused_passages(reply: str, earlier: Iterable[str], threshold: float = 0.5) -> list[str]:
    """Sentences of the reply (of 20+ characters) of which at least `threshold` of the 8-character
    shingles appear in one of the unit's earlier replies: copied text."""
    earlier_shingles = [_shingles(e) for e in earlier]
    found = []
    for sentence in _SPLIT_SENTENCE.split(reply or ""):
        sentence = sentence.strip()
        if len(sentence) < 20:
            continue
        mine = _shingles(sentence)
        if any(len(mine & other) / len(mine) >= threshold for other in earlier_shingles if other):
            found.append(sentence)
    return found


def has_dated_commitment(reply: str) -> bool:
    return bool(_DATE.search(reply or ""))


def reply_findings(
    *, suggestion_body: str, reply: str, earlier_replies: Iterable[str], result_class: str | None, commitments: int = 0
) -> list[Finding]:
    out = [Finding("boilerplate", p) for p in boilerplate_phrases(reply)]
    out += [Finding("uncovered_point", p) for p in uncovered_points(suggestion_body, reply)]
    out += [Finding("reused_text", p) for p in reused_passages(reply, earlier_replies)]
    if result_class in {"B", "C"} and not commitments and not has_dated_commitment(reply):
        out.append(Finding("missing_commitment_date", result_class))
    return out


_TITLE_SHAPE = re.compile(r"^关于.+的建议$")
_MATTER_JOINERS = re.compile(r"[和及与、]|以及|并且")


def drafting_findings(title: str, body: str) -> list[Finding]:
    """The customary shape of a suggestion, as advice: `title` (关于……的建议), `one_matter`,
    `structure` (problem, analysis, proposals), `short` (too short to act on)."""
    out = []
    title = (title or "").strip()
    body = body or ""
    if title and not _TITLE_SHAPE.match(title):
        out.append(Finding("title", title))
    core = title.removeprefix("关于").removesuffix("的建议")
    if len(_MATTER_JOINERS.findall(core)) >= 2 or len(core) > 40:
        out.append(Finding("one_matter", core))
    has_problem = bool(re.search(r"问题|现状|存在|目前|不足|困难|隐患", body))
    has_proposal = bool(re.search(r"建议|希望|措施|对策|应当|尽快", body)) and len(proposals(body)) >= 1
    has_analysis = bool(re.search(r"原因|分析|由于|因为|导致|造成", body))
    missing = [
        name
        for name, ok in (("problem", has_problem), ("analysis", has_analysis), ("proposals", has_proposal))
        if not ok
    ]
    if body.strip() and missing:
        out.append(Finding("structure", ",".join(missing)))
    if body.strip() and len(body.strip()) < 60:
        out.append(Finding("short", str(len(body.strip()))))
    return out
