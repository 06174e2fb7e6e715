"""Article bodies: Markdown as editors write it → HTML safe to serve to the public.

Two locks, one behind the other: Markdown is rendered with raw HTML switched off
(markdown-it-py, CommonMark), so any tag typed is shown as text; then the HTML
goes through nh3 with a short list of tags and attributes, links only to http(s)
and mailto, marked nofollow. Images come only from the article's own attached
images: `![caption](anh-1)` names one by its key and becomes a figure with its
caption; an image pointing anywhere else is dropped (the public pages load
nothing from outside the site).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt

from phoihop.core.text import fold


@dataclass(frozen=True)
class Figure:
    """An attached image as the body may show it."""

    url: str
    caption: str = ""
    alt: str = ""
    width: int = 0
    height: int = 0


ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Longest body rendered; longer text is refused by the services before it gets here.
MAX_BODY = 100_000


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    return md


_MD = _parser()


def render(markdown: str, figures: dict[str, Figure] | None = None) -> str:
    """Safe HTML of an article body; `figures` maps image keys to attached images."""
    figures = figures or {}
    env: dict = {}
    tokens = _MD.parse(markdown[:MAX_BODY], env)
    for token in tokens:
        if token.type == "heading_open" or token.type == "heading_close":
            # The page's title is the h1: headings of the body start at h2.
            level = min(int(token.tag[1]) + 1, 4)
            token.tag = f"h{level}"
        if token.children:
            for child in token.children:
                if child.type == "image":
                    child.meta["figure"] = figures.get(str(child.attrGet("src") or "").strip())
    html = _MD.renderer.render(tokens, _MD.options, env)
    # A figure alone in its paragraph leaves the paragraph empty around it.
    return clean(html).replace("<p></p>", "")


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    figure: Figure | None = token.meta.get("figure")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if figure is None:
        # Not one of the article's images: no request leaves for it; its text stays.
        return escape(alt)
    caption = figure.caption or alt
    size = ""
    if figure.width and figure.height:
        size = f' width="{int(figure.width)}" height="{int(figure.height)}"'
    return (
        f'<figure><img src="{escape(figure.url)}" alt="{escape(figure.alt or alt)}"{size} '
        f'loading="lazy">'
        + (f"<figcaption>{escape(caption)}</figcaption>" if caption else "")
        + "</figure>"
    )


_MD.add_render_rule("image", _render_image)


def clean(html: str) -> str:
    """HTML reduced to the allowed tags and attributes (nh3)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def plain_text(markdown: str) -> str:
    """The body's words without markup, for search and feed summaries."""
    text = unescape(nh3.clean(render(markdown), tags=set()))
    return " ".join(text.split())


def search_text(*parts: str) -> str:
    """Folded text for searching with or without diacritics."""
    return fold(" ".join(p for p in parts if p))
