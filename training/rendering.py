"""Guide text: Markdown rendered on the server and sanitised, for the page and the live preview."""

import math

import markdown
import nh3

# What a guide may contain once rendered; everything else (script, style, iframes, event
# handlers, javascript: links) is removed by the sanitiser.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "abbr": {"title"},
}
WORDS_PER_MINUTE = 200


def render_markdown(text: str) -> str:
    """Markdown → HTML that is safe to show to anyone, whatever the author typed."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def reading_minutes(text: str) -> int:
    """Estimated minutes to read ``text`` (about 200 words a minute; at least one)."""
    return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))
