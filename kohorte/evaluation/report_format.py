"""Figures of the report as text, in the active language's number format (German:
comma decimals, "p < 0,001"), and the rows of the report's tables.

The same rows feed the web page, the chart's data table and the PDF, so the three
always show the same figures.
"""

from dataclasses import dataclass, field

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Response

SUPPRESSED = gettext_lazy("fewer than 5 answers – not shown")


def num(value, places=2) -> str:
    """A number with ``places`` decimals in the active locale; "–" for undefined."""
    if value is None:
        return "–"
    return number_format(round(float(value), places), places, use_l10n=True)


def plain(value) -> str:
    """A count or a rank sum: no decimals unless it has some (V may end in ,5)."""
    if value is None:
        return "–"
    value = float(value)
    return number_format(value, 0 if value == int(value) else 1, use_l10n=True)


def p_value(value) -> str:
    """p with three decimals, "< 0,001" below that (no "0,000")."""
    if value is None:
        return "–"
    if value < 0.001:
        return "< " + num(0.001, 3)
    return num(value, 3)


def p_phrase(value) -> str:
    """``p = 0,023`` or ``p < 0,001`` for running text."""
    text = p_value(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def interval(low, high, places=2) -> str:
    """[0,12; 0,98] with decimal commas, [0.12, 0.98] with decimal points."""
    if low is None or high is None:
        return "–"
    separator = "; " if get_format("DECIMAL_SEPARATOR") == "," else ", "
    return f"[{num(low, places)}{separator}{num(high, places)}]"


def percent(value) -> str:
    return "–" if value is None else f"{num(value, 0)} %"


def comparison_label(comparison: str) -> str:
    return {"pre_post": _("before → after"), "then_post": _("looking back → after"),
            "pre_follow_up": _("before → follow-up")}[comparison]


def measurement_label(measurement: str) -> str:
    return str(Response.Measurement(measurement).label)


@dataclass
class StatsRow:
    """One comparison of one item or scale, as the table shows it."""

    comparison: str
    label: str
    suppressed: bool
    cells: list[str] = field(default_factory=list)


# Column headings of the results tables, in the order of ``StatsRow.cells``.
def stats_columns() -> list[str]:
    return ["n", _("M earlier"), _("SD earlier"), _("M after"), _("SD after"),
            _("Mean difference"), "t (df)", "p (t)", "V", _("p (Wilcoxon)"),
            _("d_z [95 % CI]")]


def stats_row(comparison: str, stats: dict) -> StatsRow:
    row = StatsRow(comparison=comparison, label=comparison_label(comparison),
                   suppressed=bool(stats.get("suppressed")))
    if row.suppressed:
        return row
    t = "–" if stats["t"] is None else f"{num(stats['t'])} ({plain(stats['df'])})"
    dz = "–" if stats["dz"] is None else (
        f"{num(stats['dz'])} {interval(stats['dz_ci_low'], stats['dz_ci_high'])}")
    row.cells = [plain(stats["n"]), num(stats["mean_pre"]), num(stats["sd_pre"]),
                 num(stats["mean_post"]), num(stats["sd_post"]), num(stats["mean_diff"]),
                 t, p_value(stats["p_t"]), plain(stats["wilcoxon_statistic"]),
                 p_value(stats["p_wilcoxon"]), dz]
    return row


@dataclass
class ItemRows:
    number: int
    key: str
    wording: str
    rows: list[StatsRow]


@dataclass
class DimensionTable:
    key: str
    title: str
    scale_rows: list[StatsRow]
    items: list[ItemRows]
    alpha: dict  # measurement -> (alpha text, n text) or None when suppressed


@dataclass
class ChartRow:
    """The figures of one dimension in the chart, its data table and its sentence."""

    title: str
    suppressed: bool
    n: int | None = None
    pre: float | None = None
    then: float | None = None
    post: float | None = None
    diff: float | None = None
    dz: float | None = None
    dz_low: float | None = None
    dz_high: float | None = None
    p_t: float | None = None
    n_then: int | None = None
    has_then: bool = False
    follow: float | None = None  # the follow-up's mean, on its pairs with before
    n_follow: int | None = None
    has_follow_up: bool = False

    @property
    def cells(self) -> list[str]:
        if self.suppressed:
            return []
        then = [num(self.then) if self.then is not None else "–"] if self.has_then else []
        follow = ([num(self.follow) if self.follow is not None else "–"]
                  if self.has_follow_up else [])
        return [plain(self.n), num(self.pre), *then, num(self.post), *follow, num(self.diff),
                "–" if self.dz is None else f"{num(self.dz)} {interval(self.dz_low, self.dz_high)}"]


def chart_columns(has_then: bool, has_follow_up: bool = False) -> list[str]:
    then = [_("M looking back")] if has_then else []
    follow = [_("M follow-up")] if has_follow_up else []
    return [_("n (pairs before/after)"), _("M before"), *then, _("M after"), *follow,
            _("Mean change"), _("d_z [95 % CI]")]


def _wording(item, language):
    return (item.text_en if language == "en" and item.text_en else item.text_de)


def _title(group, language):
    return group.title_en if language == "en" and group.title_en else group.title_de


def dimension_tables(overview, *, language="de") -> list[DimensionTable]:
    report = overview.report
    items = {entry["item"]: entry for entry in report["items"]}
    dimensions = {entry["dimension"]: entry for entry in report["dimensions"]}
    tables = []
    for group in overview.groups:
        entry = dimensions[group.title_de]
        alpha = {}
        for measurement, result in entry["alpha"].items():
            alpha[measurement] = None if result.get("suppressed") else (
                num(result["alpha"]), plain(result["n"]))
        tables.append(DimensionTable(
            key=group.key, title=_title(group, language),
            scale_rows=[stats_row(c, entry[c]) for c in report["comparisons"]],
            items=[ItemRows(number=number, key=item.key, wording=_wording(item, language),
                            rows=[stats_row(c, items[item.key][c])
                                  for c in report["comparisons"]])
                   for number, item in enumerate(group.numeric_items, start=1)],
            alpha=alpha))
    return tables


def chart_rows(overview, *, language="de") -> list[ChartRow]:
    dimensions = {entry["dimension"]: entry for entry in overview.report["dimensions"]}
    rows = []
    for group in overview.groups:
        entry = dimensions[group.title_de]
        stats = entry["pre_post"]
        then = entry.get("then_post", {"suppressed": True})
        follow = entry.get("pre_follow_up", {"suppressed": True})
        row = ChartRow(title=_title(group, language), suppressed=bool(stats.get("suppressed")),
                       has_then=overview.has_then, has_follow_up=overview.has_follow_up)
        if not row.suppressed:
            row.n, row.pre, row.post = stats["n"], stats["mean_pre"], stats["mean_post"]
            row.diff, row.dz, row.p_t = stats["mean_diff"], stats["dz"], stats["p_t"]
            row.dz_low, row.dz_high = stats["dz_ci_low"], stats["dz_ci_high"]
        if not then.get("suppressed"):
            row.then, row.n_then = then["mean_pre"], then["n"]
        if not follow.get("suppressed"):
            row.follow, row.n_follow = follow["mean_post"], follow["n"]
        rows.append(row)
    return rows


def chart_sentences(rows: list[ChartRow]) -> tuple[str, list[str]]:
    """The text alternative: one summary sentence and one sentence per dimension."""
    shown = [row for row in rows if not row.suppressed and row.diff is not None]
    higher = [row for row in shown if row.diff > 0]
    significant = [row for row in higher if row.p_t is not None and row.p_t < 0.05]
    if not shown:
        summary = _("No dimension has enough answers before and after the course to be "
                    "shown (at least 5 people are needed).")
    else:
        summary = _("In %(higher)s of %(shown)s dimensions shown, the mean self-assessment "
                    "was higher after the course than before; in %(significant)s of them the "
                    "change is statistically significant (paired t-test, p < 0.05).") % {
            "higher": len(higher), "shown": len(shown), "significant": len(significant)}
        hidden = len(rows) - len(shown)
        if hidden:
            summary += " " + _("%(hidden)s dimensions are not shown: fewer than 5 answers.") % {
                "hidden": hidden}
    sentences = []
    for row in rows:
        if row.suppressed or row.diff is None:
            sentences.append(f"{row.title}: {SUPPRESSED}.")
            continue
        text = _("%(title)s: mean %(pre)s before and %(post)s after the course, a change of "
                 "%(diff)s (n = %(n)s, %(p)s, d_z = %(dz)s, 95 %% CI %(ci)s).") % {
            "title": row.title, "pre": num(row.pre), "post": num(row.post),
            "diff": num(row.diff), "n": row.n, "p": p_phrase(row.p_t),
            "dz": num(row.dz), "ci": interval(row.dz_low, row.dz_high)}
        if row.then is not None:
            text += " " + _("Looking back at the end of the course, participants rated their "
                            "competence before it at %(then)s (n = %(n)s).") % {
                "then": num(row.then), "n": row.n_then}
        if row.follow is not None:
            text += " " + _("In the follow-up months after the end, the mean was %(follow)s "
                            "(n = %(n)s with answers before the course).") % {
                "follow": num(row.follow), "n": row.n_follow}
        sentences.append(text)
    return summary, sentences
