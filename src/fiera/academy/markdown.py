"""Lesson and summary Markdown rendered safely (CommonMark with tables and strikethrough).

Teachers write Markdown; learners read HTML. What keeps the HTML safe:

- raw HTML is not parsed (``html=False``): ``<script>`` or ``<img onerror=...>`` in the text
  comes out escaped, as text;
- links go only to ``http``/``https``/``mailto`` addresses and relative paths; any other
  scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``) leaves the text unlinked;
  links to other hosts get ``rel="nofollow noopener noreferrer"``;
- images load only from this site's ``/media/`` or ``/static/``: the content security policy
  allows nothing else, and nothing loads from the internet. Any other image is shown as its
  alternative text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_PREFIXES = ("/media/", "/static/")


def link_allowed(url: str) -> bool:
    """True for http(s) and mailto addresses and relative paths (``/x``, ``x``, ``#x``)."""
    text = url.strip()
    if any(ord(c) < 32 for c in text) or "\\" in text:
        return False
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return False
    if scheme:
        return scheme in LINK_SCHEMES
    return ":" not in text.split("/", 1)[0]  # "javascript&colon;" is decoded before this


def image_allowed(src: str) -> bool:
    """True only for this site's own files under /media/ or /static/ (no host, no '..')."""
    text = src.strip()
    if not text.startswith(IMAGE_PREFIXES) or "\\" in text or "//" in text or ".." in text:
        return False
    return not any(ord(c) < 32 for c in text)


def _render_image(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if image_allowed(str(token.attrGet("src") or "")):
        token.attrSet("loading", "lazy")
        return str(self.image(tokens, idx, options, env))
    alt = "".join(child.content for child in token.children or ())
    return f'<span class="image-refused">{escape(alt)}</span>'


def _render_link_open(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if urlsplit(href).scheme.lower() in {"http", "https"} or href.startswith("//"):
        token.attrSet("rel", "nofollow noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: link_allowed(url) or image_allowed(url)  # type: ignore[method-assign]
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    return md


def render(text: str | None) -> SafeString:
    """The Markdown as safe HTML (see the module docstring); empty text gives ``""``."""
    if not text:
        return mark_safe("")
    html = _parser().render(text)
    return mark_safe(html)  # noqa: S308 - raw HTML off, every URL checked above
