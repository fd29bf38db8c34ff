"""Support requests: a complaint or a request for a person, opened in the chat, answered by an admin."""
