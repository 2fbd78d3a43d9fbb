"""Failed staff sign-ins are deleted once their cool-off has ended."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from kohorte.accounts.jobs import failed_sign_ins_expire_due

pytestmark = pytest.mark.django_db


def attempt(username, at):
    made = AccessAttempt.objects.create(username=username, ip_address="192.0.2.1",
                                        user_agent="x", failures_since_start=1)
    AccessAttempt.objects.filter(pk=made.pk).update(attempt_time=at)


def test_failures_past_the_cool_off_are_deleted_the_others_kept():
    now = timezone.now()
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    attempt("alt@example.org", now - cool_off - timedelta(seconds=1))
    attempt("frisch@example.org", now - cool_off + timedelta(minutes=1))
    assert failed_sign_ins_expire_due(now=now) == "1 failed sign-ins past their cool-off deleted"
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["frisch@example.org"]


def test_the_job_is_scheduled():
    assert ("kohorte.accounts.jobs.failed_sign_ins_expire_due", 900) in settings.KOHORTE_SCHEDULED_JOBS
