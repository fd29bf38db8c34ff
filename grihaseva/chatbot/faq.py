"""The chatbot's FAQ knowledge: loading `knowledge.md` and matching a message to a topic.

The knowledge file has one section per topic::

    ## booking: How booking works
    Answer text in markdown, a few lines.

    keywords: how to book, booking process, sign up

The topic id is the text before the colon of the heading.  Keywords are words
or short phrases; a phrase matches when its words appear in the message in
that order, side by side (after lower-casing and dropping punctuation).  Single
keywords of six letters or more also match a one- or two-letter typo.

Matching is deliberately plain and offline: a topic's score is the sum, over
its matched keywords, of the number of words in the keyword, so a specific
phrase ("forgot password", 2) outweighs a loose word ("login", 1).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import OSA

KNOWLEDGE_PATH = Path(__file__).with_name("knowledge.md")

_HEADING = re.compile(r"^##\s+([a-z0-9_]+)\s*:\s*(.+?)\s*$")
_KEYWORDS = re.compile(r"^keywords\s*:\s*(.*)$", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Faq:
    topic: str
    title: str
    answer_md: str
    keywords: tuple[str, ...]


def load_knowledge(path: str | Path = KNOWLEDGE_PATH) -> dict[str, Faq]:
    """Parse the knowledge file into {topic: Faq}, in file order."""
    text = Path(path).read_text(encoding="utf-8")
    topics: dict[str, Faq] = {}
    current: tuple[str, str] | None = None
    body: list[str] = []
    keywords: list[str] = []

    def flush() -> None:
        if current is None:
            return
        topic, title = current
        if topic in topics:
            raise ValueError(f"{path}: topic {topic!r} appears twice")
        topics[topic] = Faq(topic, title, "\n".join(body).strip(), tuple(keywords))

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            current = (heading.group(1), heading.group(2))
            body, keywords = [], []
            continue
        if current is None:
            continue  # preamble before the first topic
        kw = _KEYWORDS.match(line.strip())
        if kw:
            keywords.extend(k.strip().lower() for k in kw.group(1).split(",") if k.strip())
        else:
            body.append(line)
    flush()
    return topics


@functools.lru_cache(maxsize=1)
def default_knowledge() -> dict[str, Faq]:
    """The packaged knowledge file, parsed once."""
    return load_knowledge(KNOWLEDGE_PATH)


def _stem(token: str) -> str:
    """Plural-insensitive form: "charges" and "charge" match each other."""
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    text = re.sub(r"(\w)'(\w)", r"\1\2", text)  # can't -> cant, what's -> whats
    return [_stem(t) for t in _TOKEN.findall(text)]


@functools.lru_cache(maxsize=2048)
def _keyword_tokens(keyword: str) -> tuple[str, ...]:
    return tuple(_tokens(keyword))


def _fuzzy_equal(token: str, keyword: str) -> bool:
    if token == keyword:
        return True
    if len(keyword) < 6 or len(token) < 5 or token[0] != keyword[0]:
        return False
    limit = 2 if len(keyword) >= 8 else 1
    return OSA.distance(token, keyword, score_cutoff=limit) <= limit


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    if n == 0 or n > len(tokens):
        return False
    if n == 1:
        return any(_fuzzy_equal(t, phrase[0]) for t in tokens)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i:i + n]) == phrase:
            return True
    return False


def score_faq(text: str, knowledge: dict[str, Faq]) -> dict[str, int]:
    """Score of every topic with at least one keyword in `text` (0-score topics left out)."""
    tokens = _tokens(text)
    scores: dict[str, int] = {}
    for topic, faq in knowledge.items():
        score = 0
        for keyword in faq.keywords:
            phrase = _keyword_tokens(keyword)
            # "can't log in" and "cant log in" both normalise to the same tokens
            if _contains(tokens, phrase):
                score += len(phrase)
        if score:
            scores[topic] = score
    return scores


def match_faq(text: str, knowledge: dict[str, Faq]) -> str | None:
    """The best-scoring topic for `text`, or None when no keyword matches.

    Ties go to the topic that comes first in the knowledge file.
    """
    scores = score_faq(text, knowledge)
    if not scores:
        return None
    order = {topic: i for i, topic in enumerate(knowledge)}
    return max(scores, key=lambda t: (scores[t], -order[t]))
