"""Reads for the report pages: which cohorts and surveys, response counts, module
feedback, free text and the rows of the data export.

Every function reads a fixed number of queries, however many cohorts are pooled. No
aggregate resting on fewer than ``MIN_GROUP`` people leaves here unmarked: such a summary
carries ``suppressed=True`` and no figures.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from kohorte.courses.models import Cohort

from .models import Instrument, Invitation, Item, Response, Survey
from .selectors import MIN_GROUP, competence_data, competence_report_from

COMPETENCE_KINDS = (Survey.Kind.PRE, Survey.Kind.POST, Survey.Kind.FOLLOW_UP)


# --- Which cohorts and instruments ---------------------------------------------------------

def cohort_for_report(*, pk) -> Cohort | None:
    return Cohort.objects.select_related("call__programme").filter(pk=pk).first()


def competence_instruments(*, cohort) -> list[Instrument]:
    """The instruments of the cohort's pre, post and follow-up surveys, newest first."""
    return list(Instrument.objects.filter(surveys__cohort=cohort,
                                          surveys__kind__in=COMPETENCE_KINDS)
                .distinct().order_by("-created_at", "-pk"))


def instrument_for_pooling(*, pk) -> Instrument | None:
    """A programme's instrument (templates belong to no programme and pool nothing)."""
    return (Instrument.objects.select_related("programme")
            .filter(pk=pk, programme__isnull=False).first())


def cohorts_using(*, instrument):
    """All cohorts of the instrument's programme whose competence surveys used it."""
    return (Cohort.objects.filter(call__programme=instrument.programme_id,
                                  surveys__instrument=instrument,
                                  surveys__kind__in=COMPETENCE_KINDS)
            .distinct().order_by("created_at", "pk"))


# --- Response counts -----------------------------------------------------------------------

@dataclass
class SurveyRate:
    survey: Survey
    invited: int
    answered: int

    @property
    def percent(self) -> float | None:
        return 100 * self.answered / self.invited if self.invited else None


def survey_rates(*, surveys) -> list[SurveyRate]:
    """Invited and answered per survey, in two grouped queries.

    "Answered" counts people (pseudonyms), so a post survey's look back is not counted
    twice; it stays right after the key and the invitations have been destroyed.
    """
    surveys = list(surveys.select_related("cohort", "module"))
    ids = [s.pk for s in surveys]
    invited = dict(Invitation.objects.filter(survey__in=ids).values("survey")
                   .annotate(n=Count("id")).values_list("survey", "n"))
    answered = dict(Response.objects.filter(survey__in=ids).values("survey")
                    .annotate(n=Count("pseudonym", distinct=True)).values_list("survey", "n"))
    return [SurveyRate(survey=s, invited=invited.get(s.pk, 0), answered=answered.get(s.pk, 0))
            for s in surveys]


def competence_surveys(*, cohorts, instrument):
    return (Survey.objects.filter(cohort__in=cohorts, instrument=instrument,
                                  kind__in=COMPETENCE_KINDS)
            .order_by("cohort__created_at", "cohort_id", "opens_at", "pk"))


# --- The competence report -----------------------------------------------------------------

@dataclass
class CompetenceOverview:
    instrument: Instrument
    report: dict
    respondents: int
    paired_pre: int
    paired_then: int
    has_then: bool
    paired_follow_up: int
    has_follow_up: bool
    groups: list  # ItemGroup, in order, with ``numeric_items``
    items_by_key: dict


def competence_overview(*, cohorts, instrument) -> CompetenceOverview:
    """The statistics of ``competence_report`` with the counts the sample section needs
    and the wording of dimensions and items (one query for the answers)."""
    data = competence_data(cohorts=cohorts, instrument=instrument)
    report = competence_report_from(data)
    groups = list(instrument.groups.order_by("position"))
    by_group = defaultdict(list)
    for item in data.columns:
        if item.kind == Item.Kind.LIKERT and item.group_id is not None:
            by_group[item.group_id].append(item)
    for group in groups:
        group.numeric_items = by_group[group.pk]
    return CompetenceOverview(
        instrument=instrument, report=report, respondents=data.respondents,
        paired_pre=data.paired("pre"), paired_then=data.paired("then"),
        has_then="then_post" in report["comparisons"],
        paired_follow_up=data.paired("pre", "follow_up"),
        has_follow_up="pre_follow_up" in report["comparisons"],
        groups=[g for g in groups if g.numeric_items],
        items_by_key={item.key: item for item in data.columns})


# --- Module feedback -----------------------------------------------------------------------

@dataclass
class Share:
    value: str
    label: str
    count: int
    percent: float


@dataclass
class ItemSummary:
    item: Item
    n: int = 0
    mean: float | None = None
    shares: list[Share] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    suppressed: bool = False


@dataclass
class FeedbackSummary:
    survey: Survey
    respondents: int
    suppressed: bool
    likert: list[ItemSummary] = field(default_factory=list)
    choices: list[ItemSummary] = field(default_factory=list)
    texts: list[ItemSummary] = field(default_factory=list)


def feedback_surveys(*, cohort=None, module=None):
    surveys = Survey.objects.filter(kind=Survey.Kind.FEEDBACK)
    if cohort is not None:
        surveys = surveys.filter(cohort=cohort)
    if module is not None:
        surveys = surveys.filter(module=module)
    return surveys.order_by("module__position", "opens_at", "pk")


def _label(option: dict, language: str) -> str:
    return option.get(language) or option.get("de") or str(option.get("value", ""))


def sorted_texts(texts) -> list[str]:
    """Free text in alphabetical order: never the order of submission, which could tell
    who wrote what to someone who knows who answered when."""
    return sorted(texts, key=lambda text: (text.casefold(), text))


def feedback_summaries(*, surveys, language="de") -> list[FeedbackSummary]:
    """Per feedback survey: respondents, mean and distribution per Likert item, counts
    per choice, the free text. Three queries for any number of surveys."""
    surveys = list(surveys.select_related("module", "instrument", "cohort"))
    items = defaultdict(list)
    for item in Item.objects.filter(instrument__in={s.instrument_id for s in surveys}
                                    ).order_by("position"):
        items[item.instrument_id].append(item)
    answers = defaultdict(list)
    for survey_id, numbers, other in Response.objects.filter(
            survey__in=[s.pk for s in surveys], measurement=Response.Measurement.FEEDBACK
    ).values_list("survey_id", "numbers", "other"):
        answers[survey_id].append((numbers, other))
    return [_feedback_summary(s, items[s.instrument_id], answers[s.pk], language)
            for s in surveys]


def _feedback_summary(survey, items, answers, language) -> FeedbackSummary:
    summary = FeedbackSummary(survey=survey, respondents=len(answers),
                              suppressed=len(answers) < MIN_GROUP)
    if summary.suppressed:
        return summary
    for item in items:
        entry = ItemSummary(item=item)
        if item.kind == Item.Kind.LIKERT:
            values = [numbers[item.column] for numbers, _ in answers
                      if item.column < len(numbers) and numbers[item.column] is not None]
            entry.n = len(values)
            if values:
                entry.mean = sum(values) / len(values)
            entry.shares = [
                Share(value=str(value), label=_label(option, language),
                      count=values.count(value),
                      percent=100 * values.count(value) / len(values) if values else 0)
                for value, option in enumerate(_five(item.options), start=1)]
            summary.likert.append(entry)
        elif item.kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE):
            chosen = [other[item.key] for _, other in answers if item.key in other]
            flat = [str(v) for c in chosen for v in (c if isinstance(c, list) else [c])]
            entry.n = len(chosen)
            entry.shares = [
                Share(value=str(option["value"]), label=_label(option, language),
                      count=flat.count(str(option["value"])),
                      percent=100 * flat.count(str(option["value"])) / len(chosen)
                      if chosen else 0)
                for option in item.options]
            summary.choices.append(entry)
        elif item.kind == Item.Kind.TEXT:
            entry.texts = sorted_texts(other[item.key] for _, other in answers
                                       if other.get(item.key))
            entry.n = len(entry.texts)
            summary.texts.append(entry)
        else:
            continue
        entry.suppressed = item.kind != Item.Kind.TEXT and entry.n < MIN_GROUP
    return summary


def _five(options):
    options = list(options or [])
    return options + [{} for _ in range(5 - len(options))] if len(options) < 5 else options[:5]


# --- Free text of the competence surveys ---------------------------------------------------

@dataclass
class TextGroup:
    item: Item
    measurement: str
    texts: list[str]
    withheld_surveys: int = 0

    @property
    def measurement_label(self) -> str:
        return str(Response.Measurement(self.measurement).label)


def free_texts(*, surveys) -> list[TextGroup]:
    """Free text per item and measurement, from the surveys that at least ``MIN_GROUP``
    people answered; the others are counted, not shown. Sorted, never in submission
    order, and without any link to a pseudonym."""
    surveys = list(surveys)
    text_items = defaultdict(list)
    for item in Item.objects.filter(instrument__in={s.instrument_id for s in surveys},
                                    kind=Item.Kind.TEXT).order_by("position"):
        text_items[item.instrument_id].append(item)
    if not text_items:
        return []
    rows = list(Response.objects.filter(survey__in=[s.pk for s in surveys])
                .values_list("survey_id", "pseudonym_id", "measurement", "other"))
    people = defaultdict(set)
    for survey_id, pseudonym_id, _, _ in rows:
        people[survey_id].add(pseudonym_id)
    instrument_of = {s.pk: s.instrument_id for s in surveys}
    groups: dict = {}
    for survey in surveys:
        for item in text_items[survey.instrument_id]:
            for measurement in _measurements(survey):
                group = groups.setdefault((item.position, measurement),
                                          TextGroup(item=item, measurement=measurement,
                                                    texts=[]))
                if len(people[survey.pk]) < MIN_GROUP:
                    group.withheld_surveys += 1
    for survey_id, _, measurement, other in rows:
        if len(people[survey_id]) < MIN_GROUP:
            continue
        for item in text_items[instrument_of[survey_id]]:
            if other.get(item.key) and (item.position, measurement) in groups:
                groups[(item.position, measurement)].texts.append(other[item.key])
    for group in groups.values():
        group.texts = sorted_texts(group.texts)
    order = {m: i for i, m in enumerate(Response.Measurement.values)}
    return [groups[key] for key in sorted(groups, key=lambda k: (order[k[1]], k[0]))]


def _measurements(survey) -> list[str]:
    if survey.kind == Survey.Kind.POST:
        return [Response.Measurement.THEN, Response.Measurement.POST]
    return [{Survey.Kind.PRE: Response.Measurement.PRE,
             Survey.Kind.FOLLOW_UP: Response.Measurement.FOLLOW_UP}[survey.kind]]


# --- The data export -----------------------------------------------------------------------

def export_responses(*, cohorts, instrument) -> list[tuple[int, int, str, list]]:
    """(pseudonym id, cohort id, measurement, numbers) of every competence answer, one
    query. The pseudonym id stays here: the export numbers people afresh."""
    return list(Response.objects.filter(survey__cohort__in=cohorts, survey__instrument=instrument,
                                        survey__kind__in=COMPETENCE_KINDS)
                .values_list("pseudonym_id", "survey__cohort_id", "measurement", "numbers"))


def numeric_items(*, instrument) -> list[Item]:
    return list(instrument.items.filter(column__isnull=False).select_related("group")
                .order_by("column"))
