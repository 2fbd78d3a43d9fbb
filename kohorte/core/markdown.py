"""Safe Markdown: rendered, then sanitised with an allow-list (nh3)."""

import functools

import markdown as md
import nh3

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4",
         "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


@functools.lru_cache(maxsize=256)
def render_markdown(text: str) -> str:
    # Cached: the same few call texts are rendered on every view of a call.
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    # Headings start at h2: the page has its own h1.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"https", "http", "mailto"},
                     link_rel="noopener noreferrer")
