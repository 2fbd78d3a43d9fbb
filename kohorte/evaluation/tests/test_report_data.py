"""The report's data path: stored answer lists → aligned arrays → statistics, with the
n ≥ 5 rule. The statistics themselves are tested against reference values elsewhere."""

import math

import numpy as np
import pytest
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation.instruments import instrument_from_template, template_data
from kohorte.evaluation.models import Pseudonym, Response, Survey
from kohorte.evaluation.selectors import MIN_GROUP, competence_data, competence_report
from kohorte.evaluation.stats.paired import paired_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def instrument():
    return instrument_from_template(template_data("gwa-competence"))


def _surveys(cohort, instrument):
    now = timezone.now()
    return {kind: Survey.objects.create(cohort=cohort, instrument=instrument, kind=kind,
                                        opens_at=now, closes_at=now + timezone.timedelta(days=9))
            for kind in (Survey.Kind.PRE, Survey.Kind.POST)}


def _answer(surveys, pseudonym, *, pre=None, post=None, then=None):
    for measurement, values, kind in [("pre", pre, "pre"), ("post", post, "post"),
                                      ("then", then, "post")]:
        if values is not None:
            Response.objects.create(survey=surveys[kind], pseudonym=pseudonym,
                                    measurement=measurement, numbers=values)


def test_the_template_has_eight_dimensions_of_four_likert_items_in_both_languages(instrument):
    assert instrument.groups.count() == 8
    assert instrument.is_draft
    columns = list(instrument.items.order_by("column").values_list("column", flat=True))
    assert columns == list(range(32))
    assert all(item.text_en and item.text_de and len(item.options) == 5
               for item in instrument.items.all())


def test_answers_are_paired_by_pseudonym_whatever_the_order_they_were_stored_in(instrument):
    cohort = make_cohort(f.make_call(), others=1)
    surveys = _surveys(cohort, instrument)
    first, second = Pseudonym.objects.create(cohort=cohort), Pseudonym.objects.create(cohort=cohort)
    # The second person's post answers are stored before the first's pre answers.
    _answer(surveys, second, post=[5] * 32)
    _answer(surveys, first, pre=[1] * 31 + [None], post=[2] * 32, then=[3] * 32)
    _answer(surveys, second, pre=[4] * 32)
    data = competence_data(cohorts=[cohort], instrument=instrument)
    row = {pseudonym: i for i, pseudonym in enumerate(data.pseudonyms)}
    pre, post, then = data.arrays["pre"], data.arrays["post"], data.arrays["then"]
    assert pre[row[first.pk], 0] == 1 and post[row[first.pk], 0] == 2
    assert pre[row[second.pk], 0] == 4 and post[row[second.pk], 0] == 5
    assert math.isnan(pre[row[first.pk], 31])
    assert then[row[first.pk], 0] == 3 and math.isnan(then[row[second.pk], 0])
    assert data.dimensions["Moderation"] == [12, 13, 14, 15]


def test_the_report_matches_the_statistics_core_on_the_same_pairs(instrument):
    rng = np.random.default_rng(7)
    cohort = make_cohort(f.make_call(), others=1)
    surveys = _surveys(cohort, instrument)
    pre = rng.integers(1, 6, size=(12, 32))
    post = np.clip(pre + rng.integers(0, 3, size=(12, 32)), 1, 5)
    for i in range(12):
        _answer(surveys, Pseudonym.objects.create(cohort=cohort),
                pre=pre[i].tolist(), post=post[i].tolist())
    report = competence_report(cohorts=[cohort], instrument=instrument)
    expected = paired_summary(pre[:, 0].astype(float), post[:, 0].astype(float))
    got = report["items"][0]["pre_post"]
    assert got["n"] == 12
    assert got["t"] == pytest.approx(expected["t"])
    assert got["dz"] == pytest.approx(expected["dz"])
    assert report["comparisons"] == ["pre_post"]
    # The first dimension's scale mean is the mean of its four items.
    scale_pre = pre[:, :4].mean(axis=1)
    assert report["dimensions"][0]["pre_post"]["mean_pre"] == pytest.approx(scale_pre.mean())


def test_no_figure_is_shown_for_fewer_than_five_people(instrument):
    cohort = make_cohort(f.make_call(), others=1)
    surveys = _surveys(cohort, instrument)
    for value in range(MIN_GROUP - 1):
        _answer(surveys, Pseudonym.objects.create(cohort=cohort),
                pre=[1 + value % 3] * 32, post=[5] * 32, then=[2] * 32)
    report = competence_report(cohorts=[cohort], instrument=instrument)
    for entry in report["items"] + report["dimensions"]:
        assert entry["pre_post"] == {"suppressed": True, "note": "fewer than 5 respondents"}
        assert entry["then_post"]["suppressed"]
    assert all(alpha["suppressed"] for d in report["dimensions"] for alpha in d["alpha"].values())


def test_cohorts_are_pooled_by_their_people(instrument):
    cohorts = [make_cohort(f.make_call(), others=1) for _ in range(2)]
    for number, cohort in enumerate(cohorts):
        surveys = _surveys(cohort, instrument)
        for _ in range(3):
            _answer(surveys, Pseudonym.objects.create(cohort=cohort),
                    pre=[2] * 32, post=[3 + number] * 32)
    assert competence_report(cohorts=cohorts[:1], instrument=instrument)["items"][0][
        "pre_post"]["suppressed"]
    pooled = competence_report(cohorts=cohorts, instrument=instrument)
    assert pooled["n_respondents"] == 6
    assert pooled["items"][0]["pre_post"]["mean_diff"] == pytest.approx(1.5)
