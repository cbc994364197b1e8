"""Chinese word segmentation (jieba) with the deployment's domain dictionary.

The index stores jieba's *search mode* output (each long word plus the dictionary words inside
it), while a query is cut in *precise mode*: every precise word of a query is then among the
search-mode words of a text that contains it, whatever the words around it in that text.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

DOMAIN_DICTIONARY = Path(__file__).with_name("domain_dict.txt")

# Function words that carry no meaning for search or similarity; dropped from both sides.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "以及",
        "或",
        "在",
        "是",
        "对",
        "为",
        "把",
        "被",
        "将",
        "从",
        "由",
        "于",
        "等",
        "之",
        "其",
        "这",
        "那",
        "有",
        "也",
        "就",
        "都",
        "而",
        "并",
        "中",
        "上",
        "下",
        "我",
        "我们",
        "你",
        "他",
        "她",
        "它",
        "一个",
        "一些",
        "进行",
        "关于",
        "建议",
        "问题",
        "有关",
        "相关",
        "方面",
        "工作",
        "情况",
        "目前",
        "可以",
    ]
)
_WORD = re.compile(r"\w", re.UNICODE)
_NUMBER = re.compile(r"^第?0*(\d+)号?$")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """One process-wide jieba tokenizer with the domain dictionary (loaded on first use, ~1 s)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                tk.load_userdict(str(DOMAIN_DICTIONARY))
                _tokenizer = tk
    return _tokenizer


def _keep(word: str) -> bool:
    return bool(_WORD.search(word)) and word not in STOP_WORDS


def words(text: str) -> list[str]:
    """Precise-mode words of `text`, lower-cased, without punctuation and function words."""
    return [w.lower() for w in (t.strip() for t in tokenizer().cut(text or "")) if w and _keep(w)]


def search_words(text: str) -> list[str]:
    """Search-mode words (long words and the dictionary words inside them): what the index holds."""
    return [w.lower() for w in (t.strip() for t in tokenizer().cut_for_search(text or "")) if w and _keep(w)]


def index_text(text: str) -> str:
    """Space-separated search words: fed to PostgreSQL's `simple` configuration, which only splits
    on spaces and lower-cases, so the tsvector holds exactly jieba's words."""
    return " ".join(search_words(text))


def query_terms(query: str) -> tuple[list[str], list[int]]:
    """A search box's words and numbers: "南冲 电排站" -> (["南冲", "电排站"], []);
    "第0123号" or "123" -> ([], [123]). Every term must match (AND), in any order."""
    terms: list[str] = []
    numbers: list[int] = []
    for chunk in (query or "").split():
        match = _NUMBER.match(chunk)
        if match:
            numbers.append(int(match.group(1)))
            continue
        for word in words(chunk):
            if word not in terms:
                terms.append(word)
    return terms, numbers
