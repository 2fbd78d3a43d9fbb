"""The Content-Security-Policy allows no inline script or style, and the browser enforces it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from .axe import assert_no_violations


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("url_name", ["core:home", "applications:call_list", "accounts:login",
                                      "accounts:staff_login"])
def test_every_page_sends_a_policy_without_unsafe_inline(client, db, url_name):
    response = client.get(reverse(url_name))
    header = response.headers["Content-Security-Policy"]
    directives = _directives(header)
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.browser
def test_the_browser_blocks_an_injected_inline_script(page, base_url, open_call):
    page.goto("/")
    page.evaluate("""() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation",
        (event) => window.__violations.push(event.effectiveDirective));
    }""")
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.__inlineScriptRan = true;")
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("() => window.__inlineScriptRan === undefined")
    assert page.evaluate("() => window.__violations") == ["script-src-elem"]


@pytest.mark.browser
def test_axe_loads_from_the_apps_own_static_files_under_that_policy(page, base_url, open_call):
    """axe itself comes in as a 'self' script, so the check sees the page people see."""
    page.goto("/")
    assert page.evaluate("() => typeof window.axe") == "undefined"
    assert_no_violations(page, base_url, label="start page")
    assert page.evaluate("() => typeof window.axe.run") == "function"
