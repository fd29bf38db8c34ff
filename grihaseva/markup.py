"""The one HTML sanitiser: nh3 (ammonia) with GrihaSeva's allow-list of tags, attributes and URL
schemes. The blog cleans rendered markdown with it; the chatbot checks the links of FAQ answers
with it, so an admin's FAQ edit and a provider's post obey the same rules."""

from __future__ import annotations

import re
from html import escape, unescape

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}  # and relative links
LINK_REL = "nofollow noopener"


def clean_html(html: str) -> str:
    """HTML reduced to the allow-list; every link gets rel="nofollow noopener"."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=LINK_REL, strip_comments=True)


def safe_href(href: str) -> str | None:
    """`href` as the sanitiser keeps it in a link, or None when it strips it (a scheme outside
    URL_SCHEMES: javascript:, data:, vbscript:, however it is spelled or padded)."""
    cleaned = nh3.clean(f'<a href="{escape(href, quote=True)}">x</a>', tags={"a"}, attributes={"a": {"href"}},
                        url_schemes=URL_SCHEMES, link_rel=None)
    kept = re.search(r'href="([^"]*)"', cleaned)
    return unescape(kept.group(1)) if kept and kept.group(1).strip() else None
