"""Articles' Markdown to safe HTML (CommonMark, raw HTML shown as text) and to plain text for search."""

from __future__ import annotations

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False})


def to_html(body: str) -> str:
    """HTML of ``body``: raw HTML is escaped, not passed through; javascript:/data: links are dropped."""
    return str(_md.render(body))


def to_plain(body: str) -> str:
    """The words of ``body`` without Markdown syntax (what is indexed and quoted in search snippets)."""
    parts: list[str] = []
    for token in _md.parse(body):
        if token.type == "inline" and token.children:
            parts.append("".join(c.content for c in token.children if c.type in ("text", "code_inline")))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content.strip())
    return " ".join(p for p in parts if p)
