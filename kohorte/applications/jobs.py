"""Scheduled jobs of the applications stage (named in settings.KOHORTE_SCHEDULED_JOBS)."""

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .models import Application, Document, Eligibility
from .services.eligibility import eligibility_assess


def eligibility_recheck_due(*, now=None) -> dict:
    """Re-assess submitted applications whose employer release became overdue.

    Nothing else happens on the day after the release due date, so without this job an
    application still missing its letter would keep its tier. Only pre-checks computed
    on or before the due day are picked up, so each application is re-assessed once.
    """
    now = now or timezone.now()
    has_release = Document.objects.filter(application=OuterRef("pk"),
                                          kind=Document.Kind.EMPLOYER_RELEASE)
    due = (Application.objects
           .filter(state=Application.State.SUBMITTED,
                   call__release_due_date__lt=timezone.localdate(now))
           .filter(Q(eligibility__isnull=True)
                   | Q(eligibility__computed_at__date__lte=F("call__release_due_date")))
           .exclude(Exists(has_release))
           .values_list("pk", flat=True))
    pks = list(due)
    ineligible = 0
    for pk in pks:
        with transaction.atomic():
            application = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=pk)
            check = eligibility_assess(application=application, now=now)
        ineligible += check.computed_tier == Eligibility.Tier.INELIGIBLE
    return {"rechecked": len(pks), "ineligible": ineligible}
