"""axe on every page that anonymous visitors, an applicant and a coordinator can reach.

The crawler finds the pages by their links, so a page added later is checked as soon
as something links to it (or its URL takes no parameters).
"""

from urllib.parse import urlsplit

import pytest

from .axe import axe_violations, report
from .crawl import LIMIT, crawl, parameterless_paths
from .flows import sign_in_applicant, sign_in_staff

pytestmark = pytest.mark.browser


def _assert_clean(result, *, expected: set[str]):
    visited = {urlsplit(url).path for url in result.visited}
    problems = []
    if expected - visited:
        problems.append(f"pages not reached: {sorted(expected - visited)}; "
                        f"reached: {sorted(visited)}")
    if result.violations:
        problems.append("axe found WCAG 2.1 A/AA violations on\n" + report(result.violations))
    if result.errors:
        problems.append("links leading to errors:\n" + "\n".join(
            f"  {url}: {error}" for url, error in result.errors.items()))
    if result.csp_reports:
        problems.append("the Content-Security-Policy blocked parts of pages:\n" + "\n".join(
            f"  {url}: {', '.join(reports)}" for url, reports in result.csp_reports.items()))
    assert not problems, f"{len(result.visited)} pages visited\n" + "\n".join(problems)


def test_every_page_open_to_the_public_passes_axe(page, base_url, seeded):
    result = crawl(page, base_url, ["/", *parameterless_paths()])
    _assert_clean(result, expected={
        "/", "/ausschreibungen/", seeded.call.get_absolute_url(), "/konto/anmelden/",
        "/konto/mitarbeitende/anmelden/", "/impressum/", "/datenschutz/", "/barrierefreiheit/",
    })


def test_every_page_an_applicant_reaches_passes_axe(page, base_url, seeded):
    sign_in_applicant(page, seeded.applicant.email)
    own = seeded.application
    result = crawl(page, base_url, ["/bewerbungen/", "/meine-daten/", "/"])
    _assert_clean(result, expected={
        "/bewerbungen/", f"/bewerbungen/{own.pk}/",
        f"/bewerbungen/{own.pk}/zurueckziehen/", "/meine-daten/",
        f"/bewerbungen/{own.pk}/schritt/release/",
    })


def test_every_staff_page_a_coordinator_reaches_passes_axe(page, base_url, seeded):
    sign_in_staff(page, seeded.coordinator)
    staff_pages = [path for path in parameterless_paths() if path.startswith("/verwaltung/")]
    result = crawl(page, base_url, ["/verwaltung/", *staff_pages, "/"])
    call = seeded.call.pk
    _assert_clean(result, expected={
        "/verwaltung/", "/verwaltung/postausgang/",
        # the selection stage's pages, reached through the links it adds to the call
        f"/verwaltung/ausschreibungen/{call}/begutachtung/",
        f"/verwaltung/ausschreibungen/{call}/auswahl/",
        f"/verwaltung/ausschreibungen/{call}/angebote/",
    })
    assert len(result.visited) <= LIMIT


def test_the_checker_reports_a_violation_with_rule_place_and_help(page, base_url, open_call):
    """axe is really looking: a picture without a text alternative is found and named."""
    page.goto("/")
    page.evaluate("""() => {
      const img = document.createElement("img");
      img.id = "no-alt"; img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
      document.querySelector("main").append(img);
    }""")
    violations = axe_violations(page, base_url)
    image_alt = [v for v in violations if v.rule == "image-alt"]
    assert image_alt and image_alt[0].targets == ["#no-alt"]
    text = report({"start page": violations})
    assert "image-alt" in text and "#no-alt" in text and image_alt[0].help in text


def test_every_page_a_reviewer_reaches_passes_axe(page, base_url, seeded):
    """A reviewer with one submitted review and one still to do, after the deadline."""
    from kohorte.selection.tests import reviewing as r

    call = r.close(seeded.call)
    r.make_criteria(call)
    reviewer = r.make_reviewer(seeded.programme, "gutachten@example.org", name="Robin Gutachten")
    submitted = [a for a in seeded.applications if a.state == "submitted"]
    r.review(r.assign(submitted[0], reviewer),
             {"Praxisbezug": 4, "Motivation": 3, "Transferpotenzial": None}, comment="Klar.")
    r.assign(submitted[1], reviewer)
    sign_in_staff(page, reviewer)
    result = crawl(page, base_url, ["/begutachtung/", "/verwaltung/", "/"])
    _assert_clean(result, expected={
        "/begutachtung/", f"/begutachtung/bewerbungen/{submitted[0].pk}/",
        f"/begutachtung/bewerbungen/{submitted[1].pk}/",
    })


def test_your_data_with_reviews_and_a_selection_decision_passes_axe(page, base_url, seeded):
    """"Your data" of an applicant whose application was reviewed and taken out."""
    from kohorte.selection.models import Candidate
    from kohorte.selection.tests import reviewing as r

    call = r.close(seeded.call)
    r.make_criteria(call)
    reviewer = r.make_reviewer(seeded.programme, "gutachten@example.org", name="Robin Gutachten")
    r.review(r.assign(seeded.application, reviewer),
             {"Praxisbezug": 4, "Motivation": 3, "Transferpotenzial": None},
             comment="Überzeugende Praxisbeispiele.")
    Candidate.objects.create(application=seeded.application, excluded=True,
                             reason="Zweite Bewerbung derselben Person")
    sign_in_applicant(page, seeded.applicant.email)
    result = crawl(page, base_url, ["/meine-daten/"], limit=1)
    _assert_clean(result, expected={"/meine-daten/"})
    page.goto("/meine-daten/")
    text = page.locator("section[aria-labelledby=auswahl]").inner_text()
    assert "Überzeugende Praxisbeispiele." in text and "Zweite Bewerbung" in text
    assert "Robin" not in page.content() and "gutachten@" not in page.content()
