"""Figures as text (German and English number formats, p-values), the chart's SVG and
its text alternative, and the free-text lists with the n ≥ 5 rule."""

import pytest
from django.utils import timezone, translation

from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation import report_format as fmt
from kohorte.evaluation.charts import dimension_chart
from kohorte.evaluation.instruments import instrument_from_template
from kohorte.evaluation.models import Pseudonym, Response, Survey
from kohorte.evaluation.selectors_report import free_texts, sorted_texts

from .report_world import LIKERT


@pytest.fixture
def german():
    with translation.override("de"):
        yield


def test_numbers_have_decimal_commas_in_german(german):
    assert fmt.num(3.14159) == "3,14"
    assert fmt.num(-0.5) == "-0,50"
    assert fmt.num(None) == "–"
    assert fmt.plain(12.0) == "12" and fmt.plain(10.5) == "10,5"
    assert fmt.interval(0.123, 0.987) == "[0,12; 0,99]"
    assert fmt.percent(87.5) == "88 %"


def test_numbers_have_decimal_points_in_english():
    with translation.override("en"):
        assert fmt.num(3.14159) == "3.14"
        assert fmt.interval(0.123, 0.987) == "[0.12, 0.99]"
        assert fmt.p_value(0.0004) == "< 0.001"


def test_small_p_values_read_below_one_in_a_thousand_and_never_zero(german):
    assert fmt.p_value(0.0000012) == "< 0,001"
    assert fmt.p_phrase(0.0000012) == "p < 0,001"
    assert fmt.p_value(0.001) == "0,001"
    assert fmt.p_phrase(0.0234) == "p = 0,023"
    assert fmt.p_value(None) == "–"


def test_a_suppressed_comparison_has_no_figures():
    row = fmt.stats_row("pre_post", {"suppressed": True, "note": "fewer than 5 respondents"})
    assert row.suppressed and row.cells == []


def _rows():
    return [fmt.ChartRow(title="Moderation <Gruppe>", suppressed=False, n=12, pre=2.5,
                         then=2.1, post=3.75, diff=1.25, dz=1.1, dz_low=0.4, dz_high=1.8,
                         p_t=0.0004, n_then=11, has_then=True),
            fmt.ChartRow(title="Konfliktbearbeitung", suppressed=True, has_then=True)]


def test_the_chart_is_an_image_with_title_and_description_and_shapes_for_each_measurement(
        german):
    svg = str(dimension_chart(_rows(), chart_id="c", title="Titel", description="Beschreibung",
                              has_then=True))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Titel</title>' in svg and "<desc id=\"c-desc\">" in svg
    # before: circle, looking back: square, after: diamond (shape, not only colour).
    assert svg.count("<circle") == 2 and svg.count("<rect") == 2 and svg.count("<path") == 2
    assert "Moderation &lt;Gruppe&gt;" in svg and "<Gruppe>" not in svg
    assert str(fmt.SUPPRESSED) in svg
    assert "+1,25" in svg


def test_the_text_alternative_says_the_result_in_words(german):
    summary, sentences = fmt.chart_sentences(_rows())
    assert "1" in summary
    assert "2,50" in sentences[0] and "3,75" in sentences[0] and "p < 0,001" in sentences[0]
    assert "[0,40; 1,80]" in sentences[0] and "2,10" in sentences[0]
    assert str(fmt.SUPPRESSED) in sentences[1]


def test_the_follow_up_has_its_own_shape_column_and_sentence(german):
    rows = [fmt.ChartRow(title="Moderation", suppressed=False, n=12, pre=2.5, post=3.75,
                         diff=1.25, dz=1.1, dz_low=0.4, dz_high=1.8, p_t=0.0004,
                         follow=3.4, n_follow=7, has_follow_up=True),
            fmt.ChartRow(title="Netzwerke", suppressed=False, n=12, pre=2.0, post=3.0,
                         diff=1.0, dz=0.9, dz_low=0.3, dz_high=1.5, p_t=0.01,
                         has_follow_up=True)]  # its follow-up: fewer than 5 pairs
    svg = str(dimension_chart(rows, chart_id="c", title="T", description="D", has_then=False,
                              has_follow_up=True))
    # Legend and the first row each have a triangle; the second row has none.
    triangles = [part for part in svg.split("<path")[1:] if 'fill="#fff"' in part]
    assert len(triangles) == 2
    assert "Nachbefragung" in svg
    columns = fmt.chart_columns(False, True)
    assert columns.index("M Nachbefragung") == columns.index("M nachher") + 1
    assert len(rows[0].cells) == len(columns)
    assert rows[0].cells[columns.index("M Nachbefragung")] == "3,40"
    assert rows[1].cells[columns.index("M Nachbefragung")] == "–"
    _summary, sentences = fmt.chart_sentences(rows)
    assert "3,40" in sentences[0] and "n = 7" in sentences[0]
    assert "Nachbefragung" not in sentences[1]


def test_free_text_is_sorted_not_in_the_order_given():
    assert sorted_texts(["zuletzt", "Anfang", "mitte"]) == ["Anfang", "mitte", "zuletzt"]


WITH_TEXT = {
    "key": "mit-freitext", "purpose": "competence", "title_de": "Mit Freitext",
    "likert_labels": LIKERT,
    "groups": [{"key": "a", "de": "A", "items": [
        {"de": "Eins"}, {"de": "Zwei"},
        {"key": "anmerkung", "kind": "text", "de": "Anmerkungen"}]}],
}


@pytest.mark.django_db
def test_free_text_is_listed_only_from_surveys_that_five_people_answered():
    instrument = instrument_from_template(WITH_TEXT)
    now = timezone.now()
    surveys = []
    for people, prefix in [(5, "groß"), (4, "klein")]:
        cohort = make_cohort(f.make_call(), others=1)
        survey = Survey.objects.create(cohort=cohort, instrument=instrument, kind=Survey.Kind.PRE,
                                       opens_at=now, closes_at=now + timezone.timedelta(days=3))
        surveys.append(survey)
        for number in range(people):
            Response.objects.create(survey=survey, pseudonym=Pseudonym.objects.create(cohort=cohort),
                                    measurement="pre", numbers=[3, 3],
                                    other={"anmerkung": f"{prefix} {5 - number}"})
    (group,) = free_texts(surveys=Survey.objects.filter(pk__in=[s.pk for s in surveys]))
    assert group.texts == ["groß 1", "groß 2", "groß 3", "groß 4", "groß 5"]
    assert group.withheld_surveys == 1
    assert group.measurement == Response.Measurement.PRE
