"""Deadline arithmetic in Europe/Berlin, said in words."""

import math
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def end_of_minute(moment: datetime) -> datetime:
    """The last instant of the minute ``moment`` lies in (23:59 -> 23:59:59.999999)."""
    return moment.replace(second=59, microsecond=999999)


def local_datetime(day, at: time) -> datetime:
    """An aware datetime for a calendar day and wall-clock time in the site's zone."""
    return timezone.make_aware(datetime.combine(day, at))


def deadline_in_words(deadline: datetime, *, now: datetime) -> str:
    """'noch 3 Tage', 'noch 5 Stunden', 'noch 12 Minuten' or 'abgelaufen'.

    Counted down to the end of the closing minute, as the submit is judged.
    """
    remaining = (end_of_minute(deadline) - now).total_seconds()
    if remaining < 0:
        return _("closed")
    if remaining >= 2 * 86400:
        days = math.floor(remaining / 86400)
        return ngettext("%(count)d day left", "%(count)d days left", days) % {"count": days}
    if remaining >= 3600:
        hours = math.floor(remaining / 3600)
        return ngettext("%(count)d hour left", "%(count)d hours left", hours) % {"count": hours}
    minutes = max(1, math.ceil(remaining / 60))
    return ngettext("%(count)d minute left", "%(count)d minutes left", minutes) % {"count": minutes}
