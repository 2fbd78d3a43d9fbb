"""Safe Markdown: rendered, then sanitised with an allow-list (nh3)."""

import functools

import markdown as md
import nh3

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4",
         "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


@functools.lru_cache(maxsize=256)
def render_markdown(text: str, top: int = 2) -> str:
    # Cached: the same few call texts are rendered on every view of a call.
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    # The text's top heading becomes h<top> (h2 under the page's h1, h3 inside a page
    # section), whether its author wrote "#" or "##", so no level is skipped.
    levels = [level for level in range(1, 7) if f"<h{level}>" in html]
    if levels:
        shift = top - levels[0]
        order = range(6, 0, -1) if shift > 0 else range(1, 7)
        for level in order:
            target = min(max(level + shift, top), 6)
            html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"https", "http", "mailto"},
                     link_rel="noopener noreferrer")
