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

Where the file lives: the packaged `grihaseva/chatbot/knowledge.md` is the
default; an admin's edit (grihaseva/admin/faq_editor.py) is saved to
`<settings.var_dir>/knowledge.md`, and that file wins when it exists.  Every
read compares the file's identity (inode, size, mtime) with the parsed copy and
reloads on a change, so every worker process sees an edit on its next message.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import OSA

KNOWLEDGE_PATH = Path(__file__).with_name("knowledge.md")  # the packaged default
EDITED_NAME = "knowledge.md"  # an admin's edit, in the var dir

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


def edited_path(var_dir: str | Path) -> Path:
    """Where the admin's edit of the knowledge file is kept."""
    return Path(var_dir) / EDITED_NAME


def _app_var_dir() -> Path | None:
    """The running app's var dir (None outside a request or app context, e.g. at import time)."""
    from quart import current_app, has_app_context

    if not has_app_context():
        return None
    settings = getattr(current_app, "settings", None)
    return getattr(settings, "var_dir", None)


def knowledge_path(var_dir: str | Path | None = None) -> Path:
    """The admin-edited file in `var_dir` (default: the app's) when it exists, else the packaged one."""
    if var_dir is None:
        var_dir = _app_var_dir()
    if var_dir is not None:
        edited = edited_path(var_dir)
        if edited.is_file():
            return edited
    return Path(KNOWLEDGE_PATH)


# {path: ((inode, size, mtime_ns), topics)}: one stat a read, a parse only when the file changed.
_parsed: dict[Path, tuple[tuple[int, int, int], dict[str, Faq]]] = {}


def _signature(path: Path) -> tuple[int, int, int]:
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def default_knowledge(var_dir: str | Path | None = None) -> dict[str, Faq]:
    """The knowledge the chatbot answers from: the edited file in the var dir, else the packaged one.

    Parsed once per version of the file: a save (atomic replace, so a new inode) in this or any
    other process is noticed on the next call."""
    path = knowledge_path(var_dir)
    try:
        signature = _signature(path)
    except FileNotFoundError:  # the edited file was removed between the check and the stat
        path = Path(KNOWLEDGE_PATH)
        signature = _signature(path)
    cached = _parsed.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    topics = load_knowledge(path)
    _parsed[path] = (signature, topics)
    return topics


def translated_knowledge(lang: str, var_dir: str | Path | None = None) -> dict[str, Faq]:
    """The packaged answers in `lang` (`knowledge.<lang>.md`), while the admin has not edited the
    English file: an edit is newer than any translation, so then {} (the chat answers in English)."""
    path = Path(KNOWLEDGE_PATH).with_name(f"knowledge.{lang}.md")
    if knowledge_path(var_dir) != Path(KNOWLEDGE_PATH) or not path.is_file():
        return {}
    cached = _parsed.get(path)
    if cached is None:
        cached = _parsed[path] = (_signature(path), load_knowledge(path))
    return cached[1]


default_knowledge.cache_clear = _parsed.clear  # type: ignore[attr-defined]  # forget every parsed copy


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
