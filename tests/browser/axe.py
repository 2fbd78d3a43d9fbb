"""axe-core in the browser: WCAG 2.0/2.1 A and AA rules on the page as the person sees it.

axe is loaded from the app's own static files (``'self'`` in the CSP), never as an
inline script, so the page is checked under the same Content-Security-Policy that
people get.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders

AXE_STATIC_PATH = "vendor/axe/axe.min.js"
# EN 301 549 presumes conformity with WCAG 2.1 AA (DOMAIN.md §6).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 160)})),
  }));
}"""


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    help_url: str
    targets: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"  [{self.impact or '?'}] {self.rule}: {self.help}", f"      {self.help_url}"]
        for target, html in zip(self.targets[:8], self.html[:8], strict=False):
            lines.append(f"      at {target}    {html}")
        if len(self.targets) > 8:
            lines.append(f"      … and {len(self.targets) - 8} more elements")
        return "\n".join(lines)


def axe_is_available() -> bool:
    return finders.find(AXE_STATIC_PATH) is not None


def axe_violations(page, base_url: str) -> list[Violation]:
    """Run axe on the current page; load it first if this document does not have it yet."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=f"{base_url}{settings.STATIC_URL}{AXE_STATIC_PATH}")
    raw = page.evaluate(_RUN_AXE, WCAG_TAGS)
    return [
        Violation(rule=v["id"], impact=v["impact"], help=v["help"], help_url=v["helpUrl"],
                  targets=[n["target"] for n in v["nodes"]], html=[n["html"] for n in v["nodes"]])
        for v in raw
    ]


def report(findings: dict[str, list[Violation]]) -> str:
    """A readable list of violations per page, for a failing test's message."""
    parts = []
    for where, violations in findings.items():
        if violations:
            parts.append(f"{where}:\n" + "\n".join(v.describe() for v in violations))
    return "\n".join(parts)


def assert_no_violations(page, base_url: str, *, label: str = "") -> None:
    """Fail with rule, impact, selectors and help for every WCAG A/AA violation found."""
    violations = axe_violations(page, base_url)
    where = f"{label} ({page.url})" if label else page.url
    assert not violations, "axe found WCAG 2.1 A/AA violations on\n" + report({where: violations})
