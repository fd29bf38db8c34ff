"""Where conversations are kept: `chat_conversations` (the state as JSON) and
`chat_messages` (a bot message is its `BotReply` as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .replies import BotReply


@dataclass
class Conversation:
    id: int | None  # None: nothing said yet, nothing stored
    user_id: int | None
    state: dict


@dataclass
class Message:
    sender: str  # "user" | "bot"
    text: str = ""
    reply: BotReply | None = None


def _conversation(row) -> Conversation:
    try:
        state = json.loads(row["state"] or "{}")
    except ValueError:
        state = {}
    return Conversation(row["id"], row["user_id"], state if isinstance(state, dict) else {})


async def find_conversation(db, user_id: int | None, visitor_key: str | None) -> Conversation | None:
    """The user's latest conversation, else the visitor's (not yet taken over by an account)."""
    if user_id is not None:
        row = await db.fetch_one("select_user_chat_conversation", {"user_id": user_id})
        if row:
            return _conversation(row)
    if visitor_key and user_id is None:
        row = await db.fetch_one("select_visitor_chat_conversation", {"visitor_key": visitor_key})
        if row:
            return _conversation(row)
    return None


async def take_over_visitor_conversation(db, user, visitor_key: str, now: datetime) -> Conversation | None:
    """The visitor's conversation, now the user's; None when there is none or another request took it."""
    row = await db.fetch_one("select_visitor_chat_conversation", {"visitor_key": visitor_key})
    if row is None:
        return None
    conversation = _conversation(row)
    async with db.transaction() as tx:
        result = await tx.execute("attach_chat_conversation", {"id": conversation.id, "user_id": user.id, "now": now})
    if not result.rowcount:
        return None
    return conversation


async def record_bot_reply(db, conversation_id: int, bot: BotReply, state: dict, now: datetime) -> None:
    """Store a message the bot says on its own (no customer message before it) and the new state."""
    async with db.transaction() as tx:
        await tx.execute("insert_chat_message", {"conversation_id": conversation_id, "sender": "bot",
                                                 "body": json.dumps(bot.to_json()), "now": now})
        await tx.execute("update_chat_state", {"id": conversation_id, "state": json.dumps(state), "now": now})


async def start_conversation(db, user_id: int | None, visitor_key: str | None, now: datetime) -> Conversation:
    """A new, empty conversation row, so that what the first reply opens (a support request) can
    point at it."""
    async with db.transaction() as tx:
        result = await tx.execute("insert_chat_conversation", {
            "user_id": user_id, "visitor_key": None if user_id else visitor_key, "state": "{}", "now": now})
    return Conversation(result.lastrowid, user_id, {})


async def record_exchange(db, conversation: Conversation, user_id: int | None, visitor_key: str | None,
                          text: str, bot: BotReply, state: dict, now: datetime) -> int:
    """Store the customer's message, the reply and the new state in one transaction; returns the conversation id."""
    async with db.transaction() as tx:
        conversation_id = conversation.id
        if conversation_id is None:
            result = await tx.execute("insert_chat_conversation", {
                "user_id": user_id, "visitor_key": None if user_id else visitor_key, "state": json.dumps(state),
                "now": now})
            conversation_id = result.lastrowid
        else:
            await tx.execute("update_chat_state", {"id": conversation_id, "state": json.dumps(state), "now": now})
        await tx.execute("insert_chat_message", {"conversation_id": conversation_id, "sender": "user",
                                                 "body": text, "now": now})
        await tx.execute("insert_chat_message", {"conversation_id": conversation_id, "sender": "bot",
                                                 "body": json.dumps(bot.to_json()), "now": now})
    return conversation_id


async def history(db, conversation: Conversation | None) -> list[Message]:
    """The conversation's messages, oldest first (the newest 60)."""
    if conversation is None or conversation.id is None:
        return []
    rows = await db.fetch_all("select_chat_messages", {"conversation_id": conversation.id})
    messages = []
    for row in reversed(rows):
        if row["sender"] == "bot":
            try:
                messages.append(Message("bot", reply=BotReply.from_json(json.loads(row["body"]))))
            except (ValueError, TypeError, AttributeError):
                continue
        else:
            messages.append(Message("user", text=row["body"]))
    return messages
