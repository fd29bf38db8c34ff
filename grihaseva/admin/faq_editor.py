"""Editing the chatbot's FAQ knowledge file from the console.

The file belongs to the chatbot; this module reads and checks it only through
`grihaseva.chatbot.faq` (its paths and its parser), and saves a new text only
when it still parses into every topic the chatbot relies on, each with an
answer and keywords.  Saves go to `<var_dir>/knowledge.md`, never into the
installed package (grihaseva/chatbot/knowledge.md stays the default, so a
deploy does not overwrite an admin's edit and the code directory can be
read-only); the chatbot in every process picks the edit up on its next read.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from ..chatbot import faq
from .. import audit
from ..i18n import gettext, number

# The topics the chatbot's conversation answers from (its FAQ intents and the
# "contact" fallback): removing one would leave a question without an answer.
REQUIRED_TOPICS = ("booking", "prices", "cancellation", "women_only", "safety", "password_reset", "contact")
MAX_CHARS = 60_000


class KnowledgeInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def current_text(var_dir: str | Path | None = None) -> str:
    """The text the chatbot answers from: the edited file in the var dir, else the packaged one."""
    return faq.knowledge_path(var_dir).read_text(encoding="utf-8")


def check(text: str) -> dict[str, faq.Faq]:
    """The parsed topics, or KnowledgeInvalid listing every problem."""
    if len(text) > MAX_CHARS:
        raise KnowledgeInvalid([gettext("The file is limited to %(limit)s characters.", limit=number(MAX_CHARS))])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "knowledge.md"
        path.write_text(text, encoding="utf-8")
        try:
            topics = faq.load_knowledge(path)
        except ValueError as error:
            raise KnowledgeInvalid([str(error).replace(str(path), "The file")]) from None
    problems = [gettext("The topic '%(topic)s' is missing (a '## %(topic)s: Title' heading).", topic=topic)
                for topic in REQUIRED_TOPICS if topic not in topics]
    for topic, entry in topics.items():
        if not entry.answer_md:
            problems.append(gettext("The topic '%(topic)s' has no answer text.", topic=topic))
        if not entry.keywords:
            problems.append(gettext("The topic '%(topic)s' has no 'keywords:' line.", topic=topic))
    if problems:
        raise KnowledgeInvalid(problems)
    return topics


async def save(db, admin_id: int, text: str, now: datetime, var_dir: str | Path) -> None:
    """Check, then replace `<var_dir>/knowledge.md` atomically; the audit row commits only if the write succeeded."""
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    topics = check(text)
    before = current_text(var_dir)
    target = faq.edited_path(var_dir)
    async with db.transaction() as tx:
        await audit.record(tx, admin_id, "faq.update", "faq", None,
                           f"Saved the FAQ knowledge file: {len(topics)} topics, {len(before)} -> {len(text)} characters", now)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, text)
    # No cache to clear: faq.default_knowledge() notices the new file (its inode, size and mtime) on its next read.


def _write_atomically(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
