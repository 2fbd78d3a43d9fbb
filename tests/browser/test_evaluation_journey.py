"""The evaluation in the browser: instrument from a template, invitations, answers before
and after the course (with the look back), the report and its PDF, with axe on every
page it reaches.

Seeded: a closed call whose cohort has six participants, an evaluator and a coordinator
of the programme. Then: the evaluator copies the competence template into the programme
in the builder, prepares the survey before the course and opens it (one invitation per
participant in the outbox); one participant answers it by keyboard only through the
personal link from the e-mail (no sign-in), the others through the service; the link
then shows "already answered" and a second answer is refused, and no link answers for
someone else. The survey after the course (part 2: looking back) goes the same way for
five people. The coordinator sees the counts and who has not answered, never what. The
report shows the change per dimension (chart and tables, n = 5), the PDF downloads.
A second cohort of four people answers too: its report shows no figure at all.
"""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.models import Participant
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation.models import Instrument, Invitation, Response, Survey
from kohorte.evaluation.services import response_submit
from kohorte.evaluation.tests.report_world import answer_competence
from kohorte.notifications.models import OutboxMail

from .axe import assert_no_violations
from .flows import sign_in_staff, t
from .keyboard import choose_radio, follow, tab_to, type_date

pytestmark = pytest.mark.browser

INVITATION = "evaluation_survey_invitation"
NAMES = [("Tamara", "Quellwasser"), ("Benedikt", "Silberfeld"), ("Ottilie", "Wendelstein"),
         ("Jasper", "Krähenbühl"), ("Mirela", "Drachenfels"), ("Konrad", "Eulenspiegel")]


def _new_page(browser, base_url):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(15_000)
    return context.new_page()


def _link_in(mail, path):
    """The link of an e-mail to a page whose path matches ``path`` (a regular expression)."""
    match = re.search(rf"https?://\S+?{path}", mail.body)
    assert match, f"no link to {path} in the e-mail:\n{mail.body}"
    return match.group(0)


def _survey_link(participant, survey):
    mail = OutboxMail.objects.filter(to=participant.email, template=INVITATION,
                                     about_id=str(survey.pk)).order_by("-pk").first()
    assert mail is not None, f"no invitation to {participant.email} for survey {survey.pk}"
    return _link_in(mail, r"/befragung/[^/\s]+/")


def _token(link):
    return link.rstrip("/").rsplit("/", 1)[1]


def _keys(instrument):
    return list(instrument.items.filter(column__isnull=False).order_by("column")
                .values_list("key", flat=True))


@pytest.fixture
def evaluation_world(open_call):
    call = open_call
    programme = call.programme
    evaluator = f.make_staff("evaluator", programme, email="evaluation@example.org",
                             name="Eva Evaluation")
    coordinator = f.make_staff("coordinator", programme, email="koordination@example.org",
                               name="Kim Koordination")
    applicant = f.make_applicant("teilnehmerin@example.org")
    cohort = make_cohort(call, applicants=[applicant], others=5, actor=coordinator)
    participants = list(cohort.participants.order_by("pk"))
    assert len(participants) == 6
    for participant, (first, last) in zip(participants, NAMES, strict=True):
        Participant.objects.filter(pk=participant.pk).update(first_name=first, last_name=last)
    first = cohort.participants.get(user=applicant)
    others = [p for p in cohort.participants.order_by("pk") if p.pk != first.pk]
    return SimpleNamespace(call=call, programme=programme, evaluator=evaluator,
                           coordinator=coordinator, applicant=applicant, cohort=cohort,
                           first=first, others=others)


def _prepare_and_open(page, check, w, instrument, kind, *, date_order):
    """From the cohort's survey list: prepare a survey of ``kind`` and open it."""
    page.goto("/verwaltung/evaluation/")
    follow(page, page.locator(
        f'a[href="/verwaltung/evaluation/kurse/{w.cohort.pk}/befragungen/"]').first)
    check(f"survey list, before the {kind} survey")
    follow(page, page.get_by_role("link", name=t("Prepare a survey")))
    check(f"prepare the {kind} survey")
    tab_to(page, page.get_by_label(t("Instrument"), exact=True))
    page.get_by_label(t("Instrument"), exact=True).select_option(str(instrument.pk))
    choose_radio(page, "kind", page.locator(f'input[name="kind"][value="{kind}"]'))
    today = timezone.localdate()
    type_date(page, page.get_by_label(t("Opens on"), exact=True), today - timedelta(days=1),
              order=date_order)
    type_date(page, page.get_by_label(t("Closes on"), exact=True), today + timedelta(days=14),
              order=date_order)
    follow(page, page.get_by_role("button", name=t("Prepare the survey")))
    survey = Survey.objects.get(cohort=w.cohort, kind=kind)
    assert survey.state == Survey.State.DRAFT
    assert page.url.endswith(f"/verwaltung/evaluation/befragungen/{survey.pk}/"), page.url
    check(f"{kind} survey, prepared")
    follow(page, page.get_by_role("button", name=t("Open the survey and send the invitations")))
    survey.refresh_from_db()
    assert survey.state == Survey.State.OPEN
    check(f"{kind} survey, open")
    mails = OutboxMail.objects.filter(template=INVITATION, about_id=str(survey.pk))
    assert sorted(mails.values_list("to", flat=True)) == sorted(
        p.email for p in w.cohort.participants.all())
    return survey


def svg_marks(page):
    """How many dimensions the chart draws a line of change for."""
    return page.locator("section[aria-labelledby='veraenderung-h'] figure svg").locator(
        "line[stroke='#444']").count()


def _radio_groups(page, prefix):
    """The names of the radio groups starting with ``prefix``, in the page's order."""
    names = page.locator('input[type="radio"]').evaluate_all(
        "(els) => [...new Set(els.map((e) => e.name))]")
    return [name for name in names if name.startswith(prefix)]


def _answer_by_keyboard(page, values):
    """Choose ``values[name]`` in every radio group, in the order of the page, by keyboard."""
    for name in _radio_groups(page, ""):
        if name in values:
            choose_radio(page, name,
                         page.locator(f'input[name="{name}"][value="{values[name]}"]'))


def _send(page, check=None):
    """Check the answers, then send them, by keyboard; ``check(label)`` runs axe on the
    check page."""
    tab_to(page, page.get_by_role("button", name=t("Check my answers")))
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.get_by_role("heading", name=t("Check your answers")).count() == 1
    if check is not None:
        check("survey: check your answers")
    tab_to(page, page.get_by_role("button", name=t("Send my answers")))
    with page.expect_navigation():
        page.keyboard.press("Space")


def test_template_invitations_answers_before_after_and_looking_back_report_and_pdf(
        page, browser, base_url, evaluation_world, date_order):
    w = evaluation_world
    rng = np.random.default_rng(7)

    def check(label, on=page):
        assert_no_violations(on, base_url, label=label)

    # --- The evaluator copies the competence template into the programme. ---
    sign_in_staff(page, w.evaluator)
    page.goto("/verwaltung/evaluation/")
    check("evaluation start page")
    cohort_section = page.locator(f'section[aria-labelledby="kohorte-{w.cohort.pk}"]')
    follow(page, cohort_section.locator(
        f'a[href="/verwaltung/evaluation/programme/{w.programme.slug}/instrumente/"]'))
    check("instruments, none yet")
    choose_radio(page, "template", page.locator('input[name="template"][value="gwa-competence"]'))
    follow(page, page.get_by_role("button", name=t("Copy the template")))
    instrument = Instrument.objects.get(programme=w.programme)
    assert page.url.endswith(f"/verwaltung/evaluation/instrumente/{instrument.pk}/")
    assert instrument.items.count() == 32 and instrument.groups.count() == 8
    assert "Sozialraumanalyse" in page.locator("main").inner_text()
    check("instrument, copied")

    # --- The survey before the course: prepared, opened, six invitations. ---
    pre = _prepare_and_open(page, check, w, instrument, Survey.Kind.PRE, date_order=date_order)
    instrument.refresh_from_db()
    assert instrument.frozen_at is not None
    keys = _keys(instrument)
    assert len(keys) == 32

    # --- The first participant answers by keyboard, through the link alone. ---
    person = _new_page(browser, base_url)
    link = _survey_link(w.first, pre)
    person.goto(link)
    check("survey before the course", on=person)
    text = person.locator("main").inner_text()
    assert w.first.last_name not in text and w.first.email not in text
    pre_values = {f"a-{key}": str(1 + n % 3) for n, key in enumerate(keys)}
    assert _radio_groups(person, "a-") == list(pre_values)
    _answer_by_keyboard(person, {**pre_values, "follow_up_consent": "yes"})
    csrf = person.locator('main input[name="csrfmiddlewaretoken"]').first.input_value()
    _send(person, check=lambda label: check(label, on=person))
    own = w.first.pseudonym_key.pseudonym
    answer = Response.objects.get(survey=pre, pseudonym=own)
    assert answer.numbers == [float(pre_values[f"a-{key}"]) for key in keys]
    assert Invitation.objects.get(survey=pre, participant=w.first).answered
    own.refresh_from_db()
    assert own.follow_up_consent is True
    assert t("You have answered this survey. Thank you!") in person.locator("main").inner_text()
    check("survey before the course, answered", on=person)

    # --- Opening the link again: already answered; a second answer is refused. ---
    person.goto(link)
    assert t("You have answered this survey. Thank you!") in person.locator("main").inner_text()
    assert person.locator('input[type="radio"]').count() == 0
    check("survey before the course, opened again", on=person)
    again = person.request.post(link, form={"csrfmiddlewaretoken": csrf, **{
        name: "5" for name in pre_values}})
    assert again.status == 409, again.status
    assert Response.objects.filter(survey=pre).count() == 1
    assert Response.objects.get(survey=pre, pseudonym=own).numbers == answer.numbers
    # Nobody answers for someone else: the link decides whose answer it is; a made-up
    # link is unknown, and the others' invitations are untouched.
    forged = person.request.post(f"{base_url}/befragung/{_token(link)[:-4]}abcd/", form={
        "csrfmiddlewaretoken": csrf, **{name: "5" for name in pre_values}})
    assert forged.status == 404, forged.status
    assert not Invitation.objects.filter(survey=pre, answered=True).exclude(
        participant=w.first).exists()
    person.context.close()

    # --- The others answer before the course through their links (the service). ---
    pre_rows = {}
    for participant in w.others:
        row = rng.integers(1, 4, size=32)
        pre_rows[participant.pk] = row
        response_submit(token=_token(_survey_link(participant, pre)),
                        answers={key: int(v) for key, v in zip(keys, row, strict=True)})
    assert Response.objects.filter(survey=pre).count() == 6

    # --- The survey after the course, with the look back. ---
    post = _prepare_and_open(page, check, w, instrument, Survey.Kind.POST,
                             date_order=date_order)
    person = _new_page(browser, base_url)
    post_link = _survey_link(w.first, post)
    assert post_link != link
    person.goto(post_link)
    check("survey after the course", on=person)
    main = person.locator("main").inner_text()
    assert t("Part 1: today") in main and t("Part 2: looking back, before the course") in main
    post_values = {f"a-{key}": str(min(5, 2 + n % 3 + 1)) for n, key in enumerate(keys)}
    then_values = {f"t-{key}": str(1 + n % 2) for n, key in enumerate(keys)}
    # In the page's order: part 1 (today), then part 2 (looking back), then the consent.
    assert _radio_groups(person, "")[:64] == [*post_values, *then_values]
    _answer_by_keyboard(person, {**post_values, **then_values})
    _send(person, check=lambda label: check(f"{label} (after the course)", on=person))
    numbers = {r.measurement: r.numbers for r in Response.objects.filter(survey=post,
                                                                         pseudonym=own)}
    assert numbers["post"] == [float(post_values[f"a-{key}"]) for key in keys]
    assert numbers["then"] == [float(then_values[f"t-{key}"]) for key in keys]
    check("survey after the course, answered", on=person)
    person.context.close()

    # Four more answer after the course; the last participant does not.
    answering, silent = w.others[:4], w.others[4]
    for participant in answering:
        before = pre_rows[participant.pk]
        after = np.clip(before + rng.integers(0, 3, size=32), 1, 5)
        then = np.clip(before - rng.integers(0, 2, size=32), 1, 5)
        response_submit(token=_token(_survey_link(participant, post)),
                        answers={key: int(v) for key, v in zip(keys, after, strict=True)},
                        then_answers={key: int(v) for key, v in zip(keys, then, strict=True)})
    assert Invitation.objects.filter(survey=post, answered=True).count() == 5

    # --- The coordinator sees counts and who has not answered, never what. ---
    coordinator = _new_page(browser, base_url)
    sign_in_staff(coordinator, w.coordinator)
    coordinator.goto("/verwaltung/evaluation/")
    check("evaluation start page, coordinator", on=coordinator)
    follow(coordinator, coordinator.locator(
        f'a[href="/verwaltung/evaluation/kurse/{w.cohort.pk}/befragungen/"]').first)
    check("survey list, coordinator", on=coordinator)
    counts = {pk: coordinator.locator(f'[data-answered="{pk}"]').inner_text().split()
              for pk in (pre.pk, post.pk)}
    assert (counts[pre.pk][0], counts[pre.pk][-1]) == ("6", "6"), counts
    assert (counts[post.pk][0], counts[post.pk][-1]) == ("5", "6"), counts
    follow(coordinator, coordinator.locator(
        f'a[href="/verwaltung/evaluation/befragungen/{post.pk}/"]'))
    check("survey after the course, coordinator", on=coordinator)
    answered = coordinator.locator('[data-count="answered"]').inner_text().split()
    assert (answered[0], answered[-1]) == ("5", "6")
    waiting = coordinator.locator("li[data-participant]")
    assert waiting.count() == 1
    assert waiting.first.get_attribute("data-participant") == str(silent.pk)
    assert silent.full_name in waiting.first.inner_text()
    main = coordinator.locator("main").inner_text()
    for participant in [w.first, *answering]:
        assert participant.last_name not in main
    first_item = instrument.items.order_by("column").first()
    assert first_item.text_de not in main  # the questions and answers are not shown
    assert t("Remind those who have not answered") in main
    coordinator.context.close()

    # --- The report: chart and tables per dimension, n = 5. ---
    page.goto("/verwaltung/evaluation/")
    follow(page, page.locator(f'a[href="/verwaltung/evaluation/kohorten/{w.cohort.pk}/bericht/"]'))
    check("report")
    chart = page.locator("section[aria-labelledby='veraenderung-h']")
    svg = chart.locator("figure svg[role='img']")
    assert svg.count() == 1 and svg.locator("title").count() == 1
    assert svg_marks(page) == 8
    row = chart.locator("table tbody tr").filter(has=page.get_by_role(
        "rowheader", name="Sozialraumanalyse", exact=True))
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "5", cells  # pairs before and after
    assert all(cell.strip() for cell in cells), cells
    assert chart.locator("em").count() == 0
    results = page.locator("section[aria-labelledby='ergebnisse']")
    assert results.locator("h3#dimension-sozialraumanalyse, h3").filter(
        has_text="Sozialraumanalyse").count() >= 1
    assert results.locator("td.kern-table__cell--numeric").count() > 0
    assert t("fewer than 5 answers – not shown") not in results.inner_text()
    main = page.locator("main").inner_text()
    for participant in w.cohort.participants.all():
        assert participant.last_name not in main

    # --- The PDF. ---
    pdf_link = page.get_by_role("link", name=t("Report as PDF"))
    tab_to(page, pdf_link)
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.ok, pdf.status
    assert pdf.headers["content-type"].startswith("application/pdf")
    body = pdf.body()
    assert body.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)
    assert "Sozialraumanalyse" in text

    # --- A second cohort of four: no figure. ---
    small_call = f.make_call(w.programme, title="Qualifizierung Gemeinwesenarbeit, Durchgang 2")
    small = make_cohort(small_call, others=4, actor=w.coordinator)
    before = rng.integers(1, 4, size=(4, 32))
    after = np.clip(before + 1, 1, 5)
    answer_competence(small, instrument, pre=before.tolist(), post=after.tolist(),
                      then=np.clip(before - 1, 1, 5).tolist())
    assert Response.objects.filter(survey__cohort=small).count() == 12
    page.goto("/verwaltung/evaluation/")
    follow(page, page.locator(f'a[href="/verwaltung/evaluation/kohorten/{small.pk}/bericht/"]'))
    check("report, cohort of four")
    suppressed = t("fewer than 5 answers – not shown")
    assert suppressed == "weniger als 5 Antworten – nicht angezeigt", suppressed
    chart = page.locator("section[aria-labelledby='veraenderung-h']")
    assert suppressed in chart.inner_text()
    assert chart.locator("td.kern-table__cell--numeric").count() == 0
    assert chart.locator("em", has_text=suppressed).count() == 8
    results = page.locator("section[aria-labelledby='ergebnisse']")
    # Every cell of the tables says so (alpha's cells too): no mean, no n, no test.
    cells = results.locator("td").all_inner_texts()
    assert cells and all(cell.strip() in {suppressed, t("before → after"),
                                          t("looking back → after")} for cell in cells), cells
    assert "α =" not in results.inner_text()
    assert svg_marks(page) == 0
