"""The applicant's whole way, by keyboard only, with axe on every page it reaches.

Start page → calls → call → sign in by e-mail link → every step of the form (an
invalid step first, to see the error summary) → check answers → send → reference and
confirmation e-mail → withdraw (its confirmation page too).
"""

from datetime import date

import pytest
from django.utils import translation

from kohorte.applications.models import Application, Document
from kohorte.core.tests import factories as f

from .axe import assert_no_violations
from .flows import latest_mail, sign_in_link, t
from .keyboard import choose_radio, follow, tab_to, type_date, type_into

pytestmark = pytest.mark.browser

EMAIL = "neu.bewerberin@example.org"


class Journey:
    """Keeps the page and runs axe on each page reached, naming it in the failure."""

    def __init__(self, page, base_url):
        self.page, self.base_url = page, base_url

    def check(self, label: str):
        assert_no_violations(self.page, self.base_url, label=label)

    def heading(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def save_and_continue(self):
        follow(self.page, self.page.get_by_role("button", name=t("Save and continue")))


def test_an_applicant_applies_and_withdraws_by_keyboard_alone(page, base_url, seeded, tmp_path,
                                                              date_order):
    journey = Journey(page, base_url)
    call = seeded.call

    page.goto("/")
    journey.check("start page")
    main_nav = page.get_by_role("navigation", name=t("Main navigation"))
    follow(page, main_nav.get_by_role("link", name=t("Calls for applications")))
    journey.check("call list")
    follow(page, page.get_by_role("link", name=call.title))
    assert journey.heading() == call.title
    journey.check("call page")

    # Signing in: a link by e-mail; the link opens a page whose button signs in.
    follow(page, page.get_by_role("link", name=t("Sign in to apply")))
    journey.check("sign-in page")
    type_into(page, page.get_by_label(t("Your e-mail address")), EMAIL)
    follow(page, page.get_by_role("button", name=t("Send sign-in link")))
    journey.check("link sent page")
    link = sign_in_link(EMAIL)
    assert link.startswith(base_url)
    page.goto(link)
    journey.check("sign-in confirmation page")
    follow(page, page.get_by_role("button", name=t("Sign in now")))
    assert page.url.endswith(call.get_absolute_url()), "the link leads back to the call"
    journey.check("call page, signed in")
    follow(page, page.get_by_role("button", name=t("Apply now")))

    # Step 1, sent empty first: the error summary takes the focus and links to the field.
    assert journey.heading() == t("Contact")
    journey.check("contact step")
    journey.save_and_continue()
    summary = page.locator("#fehler")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "fehler"
    journey.check("contact step with errors")
    first_error = summary.get_by_role("link").first
    tab_to(page, first_error)
    page.keyboard.press("Enter")
    assert page.url.endswith("#id_first_name")
    type_into(page, page.get_by_label(t("First name")), "Aylin")
    type_into(page, page.get_by_label(t("Last name")), "Beispiel")
    journey.save_and_continue()

    assert journey.heading() == t("Employment")
    journey.check("employment step")
    site_select = page.get_by_label(t("Your site (Quartier)"))
    tab_to(page, site_select)
    page.keyboard.press("ArrowDown")
    assert site_select.input_value(), "the arrow key chooses a site"
    type_into(page, page.get_by_label(t("Your role")), "Quartiersmanagerin")
    type_into(page, page.get_by_label(t("Working hours per week")), "30")
    choose_radio(page, "employment_kind", page.get_by_label(t(Application.EmploymentKind.PAID.label)))
    date_field = page.get_by_label(t("Employed there since"))
    type_date(page, date_field, date(2022, 3, 1), order=date_order)
    assert date_field.input_value() == "2022-03-01"
    journey.save_and_continue()

    assert journey.heading() == t("Qualification")
    journey.check("qualification step")
    choose_radio(page, "qualification",
                 page.get_by_label(t(Application.Qualification.SOCIAL_WORK.label)))
    type_into(page, page.get_by_label(t("Name of the degree or training")), "B.A. Soziale Arbeit")
    journey.save_and_continue()

    assert journey.heading() == t("Motivation")
    journey.check("motivation step")
    type_into(page, page.get_by_label(t("Why do you want to take part?")),
              "Ich möchte Beteiligung im Quartier methodisch sicherer gestalten und "
              "Menschen erreichen, die bisher nicht mitreden.")
    journey.save_and_continue()

    assert journey.heading() == t("Module dates")
    journey.check("module dates step")
    choose_radio(page, "commits_to_all_modules",
                 page.get_by_label(t("Yes, I will attend all module dates.")))
    journey.save_and_continue()

    # The release letter: nothing at first (error state), then the file.
    assert journey.heading() == t("Release by your employer")
    journey.save_and_continue()
    assert page.locator("#fehler").is_visible()
    journey.check("release step with errors")
    letter = tmp_path / "freistellung.pdf"
    letter.write_bytes(f.PDF_BYTES)
    file_input = page.get_by_label(t("Letter of release from your employer"))
    tab_to(page, file_input)
    file_input.set_input_files(letter)  # the operating system's file chooser
    journey.save_and_continue()

    assert journey.heading() == t("Accessibility needs")
    journey.check("accessibility step")
    journey.save_and_continue()

    assert journey.heading() == t("Privacy")
    journey.check("privacy step")
    acknowledged = page.get_by_label(t("I have read the privacy notice."))
    tab_to(page, acknowledged)
    page.keyboard.press("Space")
    assert acknowledged.is_checked()
    journey.save_and_continue()

    assert journey.heading() == t("Check your answers")
    journey.check("check your answers")
    assert page.get_by_text("freistellung.pdf").is_visible()
    follow(page, page.get_by_role("button", name=t("Send application")))

    journey.check("submitted page")
    reference = page.locator(".kohorte-reference").inner_text().strip()
    application = Application.objects.get(call=call, applicant__email=EMAIL)
    assert application.state == Application.State.SUBMITTED
    assert reference == application.reference and reference.startswith("GWA-")
    assert application.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).count() == 1
    confirmation = latest_mail(to=EMAIL, template="application_submitted")
    assert reference in confirmation.subject or reference in confirmation.body

    follow(page, page.get_by_role("link", name=t("View your application")))
    journey.check("application page")
    follow(page, page.get_by_role("link", name=t("Withdraw application")))
    assert journey.heading() == t("Withdraw application")
    journey.check("withdraw confirmation page")
    follow(page, page.get_by_role("button", name=t("Yes, withdraw")))
    journey.check("application page, withdrawn")
    application.refresh_from_db()
    assert application.state == Application.State.WITHDRAWN
    with translation.override("de"):
        assert page.get_by_text(str(Application.State.WITHDRAWN.label)).first.is_visible()
    latest_mail(to=EMAIL, template="application_withdrawn")
