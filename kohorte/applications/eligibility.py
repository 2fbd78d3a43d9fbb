"""The automatic eligibility pre-check: a pure rule over plain facts.

Tier 1: the site is funded by the programme in the call's funding year.
Tier 2: another community-work context (a site not funded that year, or a place of
work the applicant names).
Ineligible: a volunteer rather than paid staff, fewer weekly hours than the call's
minimum, no commitment to attend all modules, or the employer release still missing
when its due date has passed. Every finding carries a reason code and a message.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

TIER_1 = "tier1"
TIER_2 = "tier2"
INELIGIBLE = "ineligible"


@dataclass(frozen=True)
class Facts:
    paid_staff: bool
    weekly_hours: Decimal | None
    min_weekly_hours: Decimal | None
    commits_to_all_modules: bool
    site_funded: bool
    release_present: bool
    release_due: date | None
    today: date


@dataclass
class Result:
    tier: str
    reasons: list = field(default_factory=list)  # [(code, message)]


def assess(facts: Facts) -> Result:
    problems = []
    if not facts.paid_staff:
        problems.append(("volunteer", _("Only paid staff (hauptamtlich) can take part; the application names voluntary work.")))
    if facts.min_weekly_hours is not None and (
        facts.weekly_hours is None or facts.weekly_hours < facts.min_weekly_hours
    ):
        problems.append(("hours", _("The call requires at least %(min)s hours per week.") % {
            "min": facts.min_weekly_hours}))
    if not facts.commits_to_all_modules:
        problems.append(("commitment", _("The applicant has not committed to attend all modules.")))
    if not facts.release_present and facts.release_due is not None and facts.today > facts.release_due:
        problems.append(("release", _("The employer release was not handed in by %(due)s.") % {
            "due": facts.release_due.strftime("%d.%m.%Y")}))
    if problems:
        return Result(INELIGIBLE, problems)
    if facts.site_funded:
        result = Result(TIER_1, [("funded_site", _("The site is funded by the programme in the call's year."))])
    else:
        result = Result(TIER_2, [("other_context", _("Community work outside the sites funded by the programme in the call's year."))])
    if not facts.release_present:
        result.reasons.append(("release_pending", _("The employer release is still to be handed in.")))
    return result
