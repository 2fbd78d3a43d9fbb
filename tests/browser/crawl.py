"""A bounded crawler: every page a person can reach by links, checked with axe.

It starts from the pages given and from every URL pattern without parameters, follows
same-origin links (GET only), and leaves out what is no page: sign-out, downloads,
exports, ``?format=`` variants, the Django admin. Pages that differ only in their
numbers (``/bewerbungen/12/`` and ``/bewerbungen/13/``) count as one kind, of which it
visits two, so new pages that other parts of Kohorte add are covered without a
growing run time.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.urls import URLPattern, URLResolver, get_resolver

from .axe import Violation, axe_violations

LIMIT = 60
PER_KIND = 2
SKIP = re.compile(
    r"abmelden|logout|/dokumente/|download|export|vorlage|\.(csv|xlsx|pdf|json|zip)$"
    r"|^/django-admin/|^/i18n/|^/static/",
    re.IGNORECASE,
)
SKIP_QUERY = {"format", "download", "export"}


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    violations: dict[str, list[Violation]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    csp_reports: dict[str, list[str]] = field(default_factory=dict)


def parameterless_paths() -> list[str]:
    """Every URL pattern that takes no argument: the pages one can start from."""
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if "<" in route or "(?P" in route or route.startswith("^"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                paths.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def normalise(base_url: str, href: str, current: str) -> str | None:
    """The same-origin page a link leads to, or None when it is no page to check."""
    absolute = urljoin(current, href.strip())
    parts = urlsplit(absolute)
    base = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if SKIP.search(parts.path) or any(key in SKIP_QUERY for key, _value in query):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(sorted(query)), ""))


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _value in parse_qsl(parts.query)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


_LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .filter((a) => !a.hasAttribute("download"))
  .map((a) => a.getAttribute("href"))"""

_WATCH_CSP = """() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) =>
    window.__cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`));
}"""


def crawl(page, base_url: str, starts: list[str], *, limit: int = LIMIT) -> CrawlResult:
    """Visit up to ``limit`` pages breadth-first from ``starts``; axe and the CSP on each."""
    result = CrawlResult()
    page.context.add_init_script(script=_WATCH_CSP)  # runs before the page's own scripts
    queue = deque(normalise(base_url, start, base_url) for start in starts)
    seen, kinds = set(), Counter()
    while queue and len(result.visited) < limit:
        url = queue.popleft()
        if url is None or url in seen or kinds[kind_of(url)] >= PER_KIND:
            continue
        seen.add(url)
        # A look first, through the browser's own session: only HTML pages are opened.
        probe = page.request.get(url, max_redirects=0)
        content_type = probe.headers.get("content-type", "")
        if probe.status in (301, 302, 303, 307, 308):
            queue.appendleft(normalise(base_url, probe.headers.get("location", ""), url))
            continue
        if probe.status == 405 or (probe.ok and not content_type.startswith("text/html")):
            continue
        if probe.status >= 400:
            result.errors[url] = f"HTTP {probe.status}"
            continue
        page.goto(url)
        final = normalise(base_url, page.url, url) or url
        seen.add(final)
        kinds[kind_of(url)] += 1
        result.visited.append(url)
        violations = axe_violations(page, base_url)
        if violations:
            result.violations[url] = violations
        blocked = page.evaluate("() => window.__cspViolations || []")
        if blocked:
            result.csp_reports[url] = blocked
        for href in page.evaluate(_LINKS):
            link = normalise(base_url, href, page.url)
            if link and link not in seen:
                queue.append(link)
    return result
