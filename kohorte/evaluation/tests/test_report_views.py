"""The report pages: per cohort and pooled, the n ≥ 5 rule on every figure, no names
anywhere, German number format, the draft mark; module feedback for lecturers of their
own modules; the denied cases."""

import re

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation.models import Instrument
from kohorte.evaluation.stats.paired import paired_summary

from .report_world import (
    answer_competence,
    answer_feedback,
    answer_follow_up,
    answered_cohort,
    competence_instrument,
    feedback_instrument,
)

pytestmark = pytest.mark.django_db



def _de(text):
    """The German the page shows for ``text`` (the English source until translated)."""
    with translation.override("de"):
        return translation.gettext(text)


SUPPRESSED = _de("fewer than 5 answers – not shown")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(personas):
    cohort, instrument, pre, post, then = answered_cohort(
        f.make_call(personas.programme), people=8, lecturer=personas.lecturer,
        programme=personas.programme)
    personas.cohort, personas.instrument = cohort, instrument
    personas.pre, personas.post, personas.then = pre, post, then
    personas.module = cohort.modules.get(position=1)
    personas.other_module = cohort.modules.get(position=2)
    # Names no page may show.
    for number, participant in enumerate(cohort.participants.order_by("pk")):
        participant.first_name, participant.last_name = "Zerlina", f"Quastwitz{number}"
        participant.save(update_fields=["first_name", "last_name"])
    return personas


def _page(client, user, name, *args, query=""):
    f.login_staff(client, user)
    response = client.get(reverse(f"evaluation:{name}", args=args) + query)
    return response, response.content.decode()


def _dimension_scale(pre, post, columns):
    return paired_summary(pre[:, columns].mean(axis=1).astype(float),
                          post[:, columns].mean(axis=1).astype(float))


def test_the_cohort_report_shows_rates_chart_tables_and_method_in_german_figures(client, w):
    response, html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)
    assert response.status_code == 200
    expected = _dimension_scale(w.pre, w.post, [0, 1, 2, 3])
    # The first dimension's scale means, as in the chart's data table, with decimal commas.
    mean_pre = f"{expected['mean_pre']:.2f}".replace(".", ",")
    mean_post = f"{expected['mean_post']:.2f}".replace(".", ",")
    assert mean_pre in html and mean_post in html
    assert "Sozialraumanalyse" in html
    assert 'role="img"' in html and "<title id=\"veraenderung-title\">" in html
    assert "<desc id=\"veraenderung-desc\">" in html
    assert _de("Response rates") in html
    rates = html.split('id="ruecklauf"', 1)[1].split("</section>", 1)[0]
    # Pre and post survey: 8 invited, 8 answered, 100 %.
    assert rates.count('kern-table__cell--numeric">8</td>') == 4
    assert rates.count("100 %") == 2
    assert "Cronbach" in html and _de("Limitations") in html


def test_p_values_below_one_in_a_thousand_read_p_below_0001_in_german(client, w):
    html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1]
    # With post ≥ pre for everyone, some p is tiny; none is printed as 0,000.
    assert "0,000<" not in html and "&lt; 0,001" in html


def test_no_participant_name_appears_on_the_report_for_the_funder(client, w):
    response, html = _page(client, w.funder, "report_cohort", w.cohort.pk)
    assert response.status_code == 200
    assert "Quastwitz" not in html and "Zerlina" not in html
    assert "Aylin" not in html and "Muster" not in html
    pooled = _page(client, w.funder, "report_pooled", w.instrument.pk)[1]
    assert "Quastwitz" not in pooled and "Muster" not in pooled


def test_the_funder_does_not_see_module_feedback_on_the_report(client, w):
    answer_feedback(w.cohort, w.module, feedback_instrument(w.programme),
                    ratings=[4, 5, 4, 5, 3, 4], texts=["Sehr praxisnah"] * 6)
    html = _page(client, w.funder, "report_cohort", w.cohort.pk)[1]
    assert "Sehr praxisnah" not in html and _de("Feedback on the modules") not in html
    coordinator_html = _page(client, w.coordinator, "report_cohort", w.cohort.pk)[1]
    assert "Sehr praxisnah" in coordinator_html


def test_a_cohort_of_four_shows_no_figure_only_the_notice(client, personas):
    cohort = make_cohort(f.make_call(personas.programme), others=4)
    instrument = competence_instrument(personas.programme)
    answer_competence(cohort, instrument, pre=[[2] * 32] * 4, post=[[4] * 32] * 4,
                      then=[[1] * 32] * 4)
    html = _page(client, personas.coordinator, "report_cohort", cohort.pk)[1]
    assert SUPPRESSED in html
    assert "2,00" not in html and "4,00" not in html
    # Every dimension's chart row and table say so.
    assert html.count(SUPPRESSED) >= 8 * 3


def test_the_draft_questionnaire_is_marked_and_a_validated_one_is_not(client, w):
    draft = _de("Draft questionnaire")
    assert draft in _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1]
    Instrument.objects.filter(pk=w.instrument.pk).update(is_draft=False)
    assert draft not in _page(client, w.evaluator, "report_cohort",
                                            w.cohort.pk)[1]


def test_the_pooled_report_puts_the_cohorts_people_together(client, w):
    second, *_ = answered_cohort(f.make_call(w.programme), people=3, seed=9,
                                 instrument=w.instrument)
    response, html = _page(client, w.coordinator, "report_pooled", w.instrument.pk)
    assert response.status_code == 200
    assert w.cohort.title in html and second.title in html
    assert f"{_de('People with answers')}</dt><dd>11<" in html


def test_the_pooled_report_reads_the_same_number_of_queries_for_one_cohort_or_four(client, w):
    f.login_staff(client, w.evaluator)
    url = reverse("evaluation:report_pooled", args=[w.instrument.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # sessions and caches warm
    one = queries()
    for seed in range(3):
        answered_cohort(f.make_call(w.programme), people=2, seed=seed, instrument=w.instrument)
    assert queries() == one


def test_a_lecturer_sees_the_feedback_of_the_module_they_teach(client, w):
    answer_feedback(w.cohort, w.module, feedback_instrument(w.programme),
                    ratings=[4, 5, 4, 5, 3, 4],
                    texts=["Zweitens gut", "Alles prima", "", "Mehr Pausen", "", "Beispiele"])
    response, html = _page(client, w.lecturer, "report_module_feedback", w.module.pk)
    assert response.status_code == 200
    assert "4,17" in html  # mean of 4, 5, 4, 5, 3, 4
    texts = re.findall(r"<li>(Zweitens gut|Alles prima|Mehr Pausen|Beispiele)</li>", html)
    assert texts == ["Alles prima", "Beispiele", "Mehr Pausen", "Zweitens gut"]
    assert "Quastwitz" not in html


def test_module_feedback_of_fewer_than_five_people_is_not_shown(client, w):
    answer_feedback(w.cohort, w.module, feedback_instrument(w.programme),
                    ratings=[4, 5, 4, 5], texts=["Nur vier Antworten"] * 4)
    html = _page(client, w.coordinator, "report_module_feedback", w.module.pk)[1]
    assert SUPPRESSED in html and "Nur vier Antworten" not in html and "4,50" not in html


def test_a_lecturer_is_refused_the_feedback_of_a_module_they_do_not_teach(client, w):
    assert _page(client, w.lecturer, "report_module_feedback",
                 w.other_module.pk)[0].status_code == 403


def test_a_lecturer_and_a_reviewer_are_refused_the_report(client, w):
    assert _page(client, w.lecturer, "report_cohort", w.cohort.pk)[0].status_code == 403
    assert _page(client, w.reviewer, "report_pooled", w.instrument.pk)[0].status_code == 403


def test_the_coordinator_of_another_programme_is_refused_every_report_page(client, w):
    for name, pk in [("report_cohort", w.cohort.pk), ("report_cohort_pdf", w.cohort.pk),
                     ("report_cohort_data", w.cohort.pk), ("report_pooled", w.instrument.pk),
                     ("report_pooled_data", w.instrument.pk),
                     ("report_module_feedback", w.module.pk)]:
        assert _page(client, w.outsider, name, pk)[0].status_code == 403, name


def test_a_participant_is_refused_and_a_visitor_sent_to_the_staff_sign_in(client, w):
    url = reverse("evaluation:report_cohort", args=[w.cohort.pk])
    assert client.get(url).url.startswith(reverse("accounts:staff_login"))
    client.force_login(w.applicant)
    assert client.get(url).status_code == 403


def test_a_template_questionnaire_has_no_pooled_report(client, w):
    template = competence_instrument(programme=None)
    assert _page(client, w.coordinator, "report_pooled", template.pk)[0].status_code == 404


def test_a_cohort_without_surveys_says_so(client, personas):
    cohort = make_cohort(f.make_call(personas.programme), others=1)
    response, html = _page(client, personas.evaluator, "report_cohort", cohort.pk)
    assert response.status_code == 200
    assert _de("This cohort has no survey with a competence questionnaire yet.") in html


def test_the_chart_rows_match_the_statistics_of_the_scale_means(client, w):
    html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1]
    expected = _dimension_scale(w.pre, w.post, [12, 13, 14, 15])  # Moderation
    assert expected["n"] == 8
    diff = f"{expected['mean_diff']:.2f}".replace(".", ",")
    assert f"+{diff}" in html  # the change written above the line in the chart
    assert np.isfinite(expected["dz"])


def test_in_english_the_figures_have_decimal_points(client, w):
    client.cookies["django_language"] = "en"
    html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1]
    expected = _dimension_scale(w.pre, w.post, [0, 1, 2, 3])
    assert f"{expected['mean_pre']:.2f}" in html and "&lt; 0.001" in html
    assert "Evaluation report" in html


def test_module_feedback_and_free_text_questions_are_worded_in_the_pages_language(client, w):
    answer_feedback(w.cohort, w.module, feedback_instrument(w.programme),
                    ratings=[4, 5, 4, 5, 3, 4], texts=["Sehr praxisnah"] * 6)
    german = _page(client, w.coordinator, "report_cohort", w.cohort.pk)[1]
    assert "Der Baustein war gut organisiert." in german
    assert "Was nehmen Sie mit?" in german and "The module was well organised." not in german
    client.cookies["django_language"] = "en"
    english = _page(client, w.coordinator, "report_cohort", w.cohort.pk)[1]
    assert "The module was well organised." in english and "What do you take away?" in english
    assert "Der Baustein war gut organisiert." not in english
    assert "Sehr praxisnah" in english  # the answers stay as written
    lecturer_page = _page(client, w.lecturer, "report_module_feedback", w.module.pk)[1]
    assert "I can use what I learnt in my practice." in lecturer_page


def test_module_feedback_shows_on_the_report_of_a_cohort_without_a_competence_survey(
        client, personas):
    cohort = make_cohort(f.make_call(personas.programme), others=5)
    answer_feedback(cohort, cohort.modules.get(position=1), feedback_instrument(),
                    ratings=[4, 4, 4, 4, 5], texts=["Gut"] * 5)
    html = _page(client, personas.evaluator, "report_cohort", cohort.pk)[1]
    assert "4,20" in html and "Gut" in html


def _follow_up_of(pre, seed=11):
    rng = np.random.default_rng(seed)
    return np.clip(pre + rng.integers(0, 3, size=pre.shape), 1, 5)


def test_the_follow_up_is_compared_with_before_and_its_pairs_counted(client, w):
    html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1]
    assert _de("before → follow-up") not in html  # no follow-up answered yet
    follow = _follow_up_of(w.pre)
    answer_follow_up(w.cohort, w.instrument, follow_up=follow.tolist(), answering=6)
    response, html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)
    assert response.status_code == 200
    assert _de("before → follow-up") in html
    sample = html.split('id="stichprobe"', 1)[1].split("</section>", 1)[0]
    assert _de("Pairs before and follow-up") in sample and "<dd>6</dd>" in sample
    # The first dimension's scale: before against the follow-up of the six who answered.
    expected = paired_summary(w.pre[:6, [0, 1, 2, 3]].mean(axis=1).astype(float),
                              follow[:6, [0, 1, 2, 3]].mean(axis=1).astype(float))
    results = html.split('id="ergebnisse"', 1)[1]
    scale_rows = results.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    row = scale_rows.split(_de("before → follow-up"), 1)[1].split("</tr>", 1)[0]
    assert f">{expected['n']}<" in row
    assert f"{expected['mean_diff']:.2f}".replace(".", ",") in row
    # The chart: the follow-up's shape in the legend, its column in the chart's table.
    chart = html.split('id="veraenderung-h"', 1)[1].split("</section>", 1)[0]
    assert _de("M follow-up") in chart and _de("Open triangle: the follow-up months after "
                                               "the end of the course.") in chart
    assert f">{_de('follow-up')}</text>" in chart
    alpha = results.split('id="alpha"', 1)[1]
    assert f">{_de('follow-up')}</th>" in alpha
    assert _de("Those who agreed were asked again in a follow-up survey 3 to 6 months after "
               "the end of the course (follow-up), with the same questions. Comparing it with "
               "the answers before the course shows how much of the change lasted.") in html
    pdf = client.get(reverse("evaluation:report_cohort_pdf", args=[w.cohort.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_follow_up_of_fewer_than_five_shows_its_rows_without_figures(client, w):
    before = _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1].count(SUPPRESSED)
    answer_follow_up(w.cohort, w.instrument, follow_up=_follow_up_of(w.pre).tolist(),
                     answering=4)
    html = _page(client, w.evaluator, "report_cohort", w.cohort.pk)[1]
    assert _de("before → follow-up") in html
    # Every scale and item row of the follow-up, and each dimension's alpha at follow-up.
    assert html.count(SUPPRESSED) == before + 8 + 32 + 8
