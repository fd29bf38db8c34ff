"""Editing the chatbot's FAQ knowledge file from the console.

The file belongs to the chatbot (grihaseva/chatbot/knowledge.md); this module
reads and checks it only through `grihaseva.chatbot.faq` (its path and its
parser), and saves a new text only when it still parses into every topic the
chatbot relies on, each with an answer and keywords.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from ..chatbot import faq
from . import audit

# The topics the chatbot's conversation answers from (its FAQ intents and the
# "contact" fallback): removing one would leave a question without an answer.
REQUIRED_TOPICS = ("booking", "prices", "cancellation", "women_only", "safety", "password_reset", "contact")
MAX_CHARS = 60_000


class KnowledgeInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def current_text() -> str:
    return Path(faq.KNOWLEDGE_PATH).read_text(encoding="utf-8")


def check(text: str) -> dict[str, faq.Faq]:
    """The parsed topics, or KnowledgeInvalid listing every problem."""
    if len(text) > MAX_CHARS:
        raise KnowledgeInvalid([f"The file is limited to {MAX_CHARS:,} characters."])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "knowledge.md"
        path.write_text(text, encoding="utf-8")
        try:
            topics = faq.load_knowledge(path)
        except ValueError as error:
            raise KnowledgeInvalid([str(error).replace(str(path), "The file")]) from None
    problems = [f"The topic {topic!r} is missing (a '## {topic}: Title' heading)."
                for topic in REQUIRED_TOPICS if topic not in topics]
    for topic, entry in topics.items():
        if not entry.answer_md:
            problems.append(f"The topic {topic!r} has no answer text.")
        if not entry.keywords:
            problems.append(f"The topic {topic!r} has no 'keywords:' line.")
    if problems:
        raise KnowledgeInvalid(problems)
    return topics


async def save(db, admin_id: int, text: str, now: datetime) -> None:
    """Check, then replace the file atomically; the audit row commits only if the write succeeded."""
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    topics = check(text)
    before = current_text()
    async with db.transaction() as tx:
        await audit.record(tx, admin_id, "faq.update", "faq", None,
                           f"Saved the FAQ knowledge file: {len(topics)} topics, {len(before)} -> {len(text)} characters", now)
        _write_atomically(Path(faq.KNOWLEDGE_PATH), text)
    faq.default_knowledge.cache_clear()  # the chatbot reads the new answers from now on


def _write_atomically(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
