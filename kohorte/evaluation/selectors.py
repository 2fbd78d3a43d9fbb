"""Reading the evaluation's answers for the report.

``competence_data`` turns the stored answer lists of one or more cohorts into the
respondents × items arrays the statistics core takes (``stats.evaluation_report``), in
one query; ``competence_report`` adds the statistics and blanks every figure that rests
on fewer than ``MIN_GROUP`` people.
"""

from dataclasses import dataclass

import numpy as np

from .models import Item, Response
from .stats.report import evaluation_report

# No aggregate is shown for fewer respondents than this (DOMAIN §3).
MIN_GROUP = 5

MEASUREMENTS = (Response.Measurement.PRE, Response.Measurement.POST, Response.Measurement.THEN,
                Response.Measurement.FOLLOW_UP)


@dataclass
class CompetenceData:
    """Aligned arrays: row i of every measurement is the same pseudonym."""

    pseudonyms: list[int]
    columns: list[Item]
    dimensions: dict[str, list[int]]
    arrays: dict[str, np.ndarray]

    @property
    def respondents(self) -> int:
        return len(self.pseudonyms)

    def paired(self, baseline: str, later: str = "post") -> int:
        """People with at least one answer both at ``baseline`` and at ``later``."""
        answered = {m: np.isfinite(a).any(axis=1) for m, a in self.arrays.items()}
        return int((answered[baseline] & answered[later]).sum())


def _numeric_items(instrument) -> list[Item]:
    return list(instrument.items.filter(column__isnull=False).select_related("group")
                .order_by("column"))


def competence_data(*, cohorts, instrument) -> CompetenceData:
    """The pre, post, then and follow-up answers to ``instrument`` of everyone in
    ``cohorts``.

    Pooling is by concatenation: every person counts once (their pseudonym belongs to one
    cohort). A missing answer, or a measurement someone did not take part in, is NaN.
    """
    columns = _numeric_items(instrument)
    width = len(columns)
    rows = list(Response.objects.filter(survey__cohort__in=cohorts, survey__instrument=instrument,
                                        measurement__in=MEASUREMENTS)
                .values_list("pseudonym_id", "measurement", "numbers"))
    pseudonyms = sorted({pseudonym for pseudonym, _, _ in rows})
    index = {pseudonym: i for i, pseudonym in enumerate(pseudonyms)}
    arrays = {m: np.full((len(pseudonyms), width), np.nan) for m in MEASUREMENTS}
    for measurement in MEASUREMENTS:
        chosen = [(index[p], numbers) for p, m, numbers in rows if m == measurement]
        if not chosen:
            continue
        where = np.fromiter((i for i, _ in chosen), dtype=np.intp, count=len(chosen))
        flat = np.fromiter(
            (np.nan if value is None else value
             for _, numbers in chosen for value in _padded(numbers, width)),
            dtype=float, count=len(chosen) * width)
        arrays[measurement][where] = flat.reshape(len(chosen), width)
    dimensions: dict[str, list[int]] = {}
    for position, item in enumerate(columns):
        if item.kind == Item.Kind.LIKERT and item.group is not None:
            dimensions.setdefault(item.group.title_de, []).append(position)
    return CompetenceData(pseudonyms=pseudonyms, columns=columns, dimensions=dimensions,
                          arrays={str(m): a for m, a in arrays.items()})


def _padded(numbers, width):
    # An answer list is as long as the instrument's numeric items; be strict about it.
    if len(numbers) != width:
        raise ValueError(f"an answer list has {len(numbers)} values, the instrument {width}")
    return numbers


def _suppress(result: dict) -> dict:
    if result.get("n") is not None and result["n"] < MIN_GROUP:
        return {"suppressed": True, "note": f"fewer than {MIN_GROUP} respondents"}
    return result


def competence_report(*, cohorts, instrument) -> dict:
    """All statistics per item and dimension, pre→post, then→post and pre→follow-up
    (where there are such answers), with every comparison on fewer than ``MIN_GROUP``
    pairs blanked."""
    return competence_report_from(competence_data(cohorts=cohorts, instrument=instrument))


def competence_report_from(data: CompetenceData) -> dict:
    """``competence_report`` on data already read (the report page also counts pairs)."""
    has_then = bool(np.isfinite(data.arrays["then"]).any())
    has_follow_up = bool(np.isfinite(data.arrays["follow_up"]).any())
    report = evaluation_report(
        data.arrays["pre"], data.arrays["post"], data.arrays["then"] if has_then else None,
        follow_up=data.arrays["follow_up"] if has_follow_up else None,
        dimensions=data.dimensions, item_labels=[item.key for item in data.columns])
    for entry in report["items"] + report["dimensions"]:
        for comparison in report["comparisons"]:
            entry[comparison] = _suppress(entry[comparison])
    for entry in report["dimensions"]:
        entry["alpha"] = {m: _suppress(alpha) for m, alpha in entry["alpha"].items()}
    report["suppressed_below"] = MIN_GROUP
    return report
