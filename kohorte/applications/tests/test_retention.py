"""The deletion clocks of DOMAIN.md §5, run by the scheduled retention job.

Drafts go 30 days after the call closed, withdrawn applications 6 months (183 days)
after the withdrawal; with them their files and the personal parts of their mails and
audit entries. The anonymous aggregate snapshot of the call stays.
"""

import os
import re
import time as wall_clock
from datetime import time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse

from kohorte.accounts.models import LoginToken, User
from kohorte.applications import services
from kohorte.applications.models import Application, CallSnapshot, Document
from kohorte.applications.retention import (
    DRAFT_GRACE,
    ERASED,
    WITHDRAWN_GRACE,
    application_erase,
    application_schedule_erasure,
    retention_run,
)
from kohorte.core.models import AuditEntry, Session
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from .test_journey import english_client

pytestmark = pytest.mark.django_db

CLOSES_AT = f.day_time(f.aware(2026, 3, 31).date(), time(23, 59))
BEFORE = CLOSES_AT - timedelta(days=5)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def call(personas):
    return f.make_call(personas.programme, opens_at=BEFORE - timedelta(days=30),
                       closes_at=CLOSES_AT, release_due_date=CLOSES_AT.date() + timedelta(days=20))


def run(now, capture):
    """The job, with the file deletions that wait for the commit carried out."""
    with capture(execute=True):
        return retention_run(now=now)


def _exists(application):
    return Application.objects.filter(pk=application.pk).exists()


def test_the_clocks_are_30_days_and_6_months():
    assert DRAFT_GRACE == timedelta(days=30)
    assert WITHDRAWN_GRACE == timedelta(days=183)


# --- Drafts: 30 days after the call closed -------------------------------------------

def test_a_draft_is_kept_until_30_days_after_closing(call, personas,
                                                     django_capture_on_commit_callbacks):
    draft = f.make_application(call, personas.applicant, now=BEFORE)
    run(CLOSES_AT + DRAFT_GRACE - timedelta(days=1), django_capture_on_commit_callbacks)
    assert _exists(draft)
    run(CLOSES_AT + DRAFT_GRACE, django_capture_on_commit_callbacks)
    assert _exists(draft)


def test_a_draft_is_gone_after_30_days_with_its_files(call, personas,
                                                      django_capture_on_commit_callbacks):
    draft = f.make_application(call, personas.applicant, now=BEFORE)
    path = draft.documents.get().file.path
    assert os.path.exists(path)
    result = run(CLOSES_AT + DRAFT_GRACE + timedelta(seconds=1),
                 django_capture_on_commit_callbacks)
    assert result["erased"] == {"draft": 1}
    assert not _exists(draft)
    assert not Document.objects.exists()
    assert not os.path.exists(path)


def test_submitted_applications_are_not_touched_by_the_draft_clock(
        call, personas, django_capture_on_commit_callbacks):
    submitted = f.make_application(call, personas.applicant, now=BEFORE, submit=True)
    run(CLOSES_AT + timedelta(days=400), django_capture_on_commit_callbacks)
    assert _exists(submitted)
    assert os.path.exists(submitted.documents.get().file.path)


# --- Withdrawn: 6 months after the withdrawal --------------------------------------

def test_a_withdrawn_application_is_kept_until_6_months_after_withdrawal(
        call, personas, django_capture_on_commit_callbacks):
    application = f.make_application(call, personas.applicant, now=BEFORE, submit=True)
    withdrawn_at = BEFORE + timedelta(days=1)
    services.application_withdraw(application=application, actor=personas.applicant,
                                  now=withdrawn_at)
    run(withdrawn_at + WITHDRAWN_GRACE - timedelta(days=1), django_capture_on_commit_callbacks)
    assert _exists(application)
    run(withdrawn_at + WITHDRAWN_GRACE, django_capture_on_commit_callbacks)
    assert _exists(application)


def test_a_withdrawn_application_is_gone_after_6_months_with_its_files(
        call, personas, django_capture_on_commit_callbacks):
    application = f.make_application(call, personas.applicant, now=BEFORE, submit=True)
    path = application.documents.get().file.path
    withdrawn_at = BEFORE + timedelta(days=1)
    services.application_withdraw(application=application, actor=personas.applicant,
                                  now=withdrawn_at)
    result = run(withdrawn_at + WITHDRAWN_GRACE + timedelta(seconds=1),
                 django_capture_on_commit_callbacks)
    assert result["erased"] == {"withdrawn": 1}
    assert not _exists(application)
    assert not os.path.exists(path)
    entry = AuditEntry.objects.get(action="application.erase")
    assert entry.data == {"reference": application.reference}
    assert entry.reason == "retention: 6 months after withdrawal"


def test_a_draft_withdrawn_early_waits_for_the_later_of_its_clocks(
        call, personas, django_capture_on_commit_callbacks):
    application = f.make_application(call, personas.applicant, now=BEFORE)
    withdrawn_at = BEFORE
    services.application_withdraw(application=application, actor=personas.applicant,
                                  now=withdrawn_at)
    # 30 days after closing no longer apply: it is withdrawn, not a draft.
    run(CLOSES_AT + DRAFT_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert _exists(application)
    run(withdrawn_at + WITHDRAWN_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert not _exists(application)


# --- The anonymous snapshot ------------------------------------------------------------

def test_the_snapshot_keeps_the_counts_before_the_first_deletion(
        call, personas, django_capture_on_commit_callbacks):
    fulda = f.make_site(call.programme, funded_year=call.funding_year, region_name="Fulda")
    kassel_city = f.make_site(region_name="Kassel")  # tier 2, city of Kassel
    kassel_city.region = f.region("Kassel", "Kreisfreie Stadt")
    kassel_city.save(update_fields=["region"])
    kassel_county = f.make_site(region_name="Kassel")  # tier 2, Landkreis Kassel
    giessen = f.make_site(call.programme, funded_year=call.funding_year, region_name="Gießen")
    f.make_application(call, f.make_applicant(), site=fulda, now=BEFORE, submit=True)
    f.make_application(call, f.make_applicant(), site=kassel_city, now=BEFORE, submit=True)
    f.make_application(call, f.make_applicant(), site=kassel_county, now=BEFORE, submit=True)
    f.make_application(call, f.make_applicant(), site=giessen, now=BEFORE, submit=True,
                       employment_kind="volunteer")
    withdrawn = f.make_application(call, f.make_applicant(), site=fulda, now=BEFORE, submit=True)
    services.application_withdraw(application=withdrawn, actor=withdrawn.applicant, now=BEFORE)
    f.make_application(call, f.make_applicant(), site=fulda, now=BEFORE)  # a draft: not counted

    run(CLOSES_AT + DRAFT_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)

    assert Application.objects.filter(call=call, state="draft").count() == 0
    data = CallSnapshot.objects.get(call=call).data
    assert data["submitted"] == 5
    assert data["by_state"] == {"submitted": 4, "withdrawn": 1}
    assert data["by_tier"] == {"tier1": 2, "tier2": 2, "ineligible": 1}
    assert data["by_district"] == {"Kassel": 4, "Gießen": 1}
    assert data["by_region"] == {"Fulda (Landkreis)": 2, "Kassel (Kreisfreie Stadt)": 1,
                                 "Kassel (Landkreis)": 1, "Gießen (Landkreis)": 1}


def test_the_snapshot_is_taken_once_and_survives_every_deletion(
        call, personas, django_capture_on_commit_callbacks):
    application = f.make_application(call, personas.applicant, now=BEFORE, submit=True)
    services.application_withdraw(application=application, actor=personas.applicant, now=BEFORE)
    f.make_application(call, personas.second_applicant, now=BEFORE)
    run(CLOSES_AT + DRAFT_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    first = CallSnapshot.objects.get(call=call)
    run(BEFORE + WITHDRAWN_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert not Application.objects.filter(call=call).exists()
    again = CallSnapshot.objects.get(call=call)
    assert again.pk == first.pk and again.data == first.data
    assert again.data["by_state"] == {"withdrawn": 1}
    assert "applicant@example.org" not in str(again.data)


def test_an_override_counts_in_the_snapshot(call, personas, django_capture_on_commit_callbacks):
    application = f.make_application(call, personas.applicant, now=BEFORE, submit=True,
                                     employment_kind="volunteer")
    services.eligibility_override(application=application, tier="tier2",
                                  reason="Vertrag liegt vor", actor=personas.coordinator)
    f.make_application(call, personas.second_applicant, now=BEFORE)
    run(CLOSES_AT + DRAFT_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert CallSnapshot.objects.get(call=call).data["by_tier"] == {"tier2": 1}


# --- Nothing personal is left behind ---------------------------------------------------

def _rows_mentioning(*needles):
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    mails = [m for m in OutboxMail.objects.all()
             if pattern.search(" ".join([m.to, m.subject, m.body]))]
    entries = [e for e in AuditEntry.objects.all()
               if pattern.search(" ".join([e.actor_label, e.object_repr, e.reason, str(e.data)]))]
    return mails, entries


def test_an_erased_persons_name_and_address_are_in_no_mail_or_audit_entry(
        call, personas, django_capture_on_commit_callbacks, time_machine):
    email, first, last = "zelda.unverwechselbar@example.org", "Zelda", "Quarzberger"
    time_machine.move_to(BEFORE, tick=False)
    # The person signs in by link: a mail and audit entries before any application.
    client = english_client()
    client.post(reverse("accounts:login"), {"email": email})
    body = OutboxMail.objects.get(template="login_link").body
    client.post(re.search(r"/konto/anmelden/link/[^/\s]+/", body).group(0))
    person = User.objects.get(email=email)
    application = f.make_application(call, person, now=BEFORE, submit=True,
                                     contact={"first_name": first, "last_name": last})
    services.eligibility_override(application=application, tier="tier2",
                                  reason=f"Rücksprache mit {first} {last}",
                                  actor=personas.coordinator)
    withdrawn_at = BEFORE + timedelta(hours=1)
    services.application_withdraw(application=application, actor=person, now=withdrawn_at)
    mails, entries = _rows_mentioning(email, first, last)
    assert mails and entries  # the test would prove nothing otherwise
    assert Session.objects.filter(user_id=person.pk).exists()  # signed in by the link

    run(withdrawn_at + WITHDRAWN_GRACE + timedelta(seconds=1), django_capture_on_commit_callbacks)

    mails, entries = _rows_mentioning(email, first, last, "zelda")
    assert mails == [] and entries == []
    assert not User.objects.filter(email__iexact=email).exists()
    assert not LoginToken.objects.filter(email__iexact=email).exists()
    assert not Session.objects.filter(user_id=person.pk).exists()
    # The mails and entries themselves stay, blanked and marked.
    assert OutboxMail.objects.filter(erased=True, body=ERASED).count() == 3
    assert AuditEntry.objects.filter(erased=True).exists()
    assert AuditEntry.objects.filter(action="application.submit", erased=True).exists()


def test_someone_with_another_application_keeps_the_account_and_its_mails(
        call, personas, django_capture_on_commit_callbacks):
    other_call = f.make_call(personas.programme, opens_at=BEFORE - timedelta(days=1),
                             closes_at=CLOSES_AT + timedelta(days=400))
    kept = f.make_application(other_call, personas.applicant, now=BEFORE, submit=True)
    erased = f.make_application(call, personas.applicant, now=BEFORE)
    run(CLOSES_AT + DRAFT_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert not _exists(erased) and _exists(kept)
    assert User.objects.filter(pk=personas.applicant.pk).exists()
    assert OutboxMail.objects.filter(to=personas.applicant.email,
                                     template="application_submitted").exists()


def test_erasing_leaves_other_peoples_rows_alone(call, personas,
                                                 django_capture_on_commit_callbacks):
    gone = f.make_application(call, personas.applicant, now=BEFORE)
    stays = f.make_application(call, personas.second_applicant, now=BEFORE, submit=True)
    run(CLOSES_AT + DRAFT_GRACE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert not _exists(gone) and _exists(stays)
    assert OutboxMail.objects.get(template="application_submitted").to == "second@example.org"
    assert not AuditEntry.objects.filter(object_id=str(stays.pk), erased=True,
                                         object_type="applications.application").exists()
    assert os.path.exists(stays.documents.get().file.path)


def test_a_staff_actor_is_not_blanked_by_an_applicants_erasure(
        call, personas, django_capture_on_commit_callbacks):
    application = f.make_application(call, personas.applicant, now=BEFORE, submit=True)
    services.eligibility_override(application=application, tier="tier1", reason="geprüft",
                                  actor=personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        application_erase(application=application, actor=personas.coordinator,
                          reason="Löschung auf Antrag")
    assert User.objects.filter(pk=personas.coordinator.pk).exists()
    assert AuditEntry.objects.filter(actor=personas.coordinator,
                                     actor_label="coordinator@example.org").exists()


# --- Files that lost their row ----------------------------------------------------------

def test_orphaned_files_older_than_an_hour_are_swept(db):
    old = default_storage.save("documents/2026/01/verwaist", ContentFile(b"%PDF-1.4 alt"))
    fresh = default_storage.save("documents/2026/01/gerade-erst", ContentFile(b"%PDF-1.4 neu"))
    two_hours_ago = wall_clock.time() - 7200
    os.utime(default_storage.path(old), (two_hours_ago, two_hours_ago))
    result = retention_run()
    assert result["orphaned_files"] == 1
    assert not default_storage.exists(old)
    # A file younger than an hour may belong to an upload still in its transaction.
    assert default_storage.exists(fresh)


def test_the_retention_job_is_registered_with_the_worker(settings):
    assert any(path == "kohorte.applications.retention.retention_run"
               for path, _every in settings.KOHORTE_SCHEDULED_JOBS)


def test_nothing_is_due_on_an_empty_database(db):
    assert retention_run() == {"erased": {}, "orphaned_files": 0}
    assert not AuditEntry.objects.filter(Q(action="application.erase")).exists()


def test_a_scheduled_erasure_happens_after_its_day_and_not_before(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    letter_sent = personas.call.closes_at + timedelta(days=20)
    at = letter_sent + timedelta(days=183)
    application_schedule_erasure(application=application, at=at,
                                 reason="6 months after the rejection letter")
    assert retention_run(now=at - timedelta(minutes=1))["erased"] == {}
    assert Application.objects.filter(pk=application.pk).exists()
    assert retention_run(now=at + timedelta(minutes=1))["erased"] == {"scheduled": 1}
    assert not Application.objects.filter(pk=application.pk).exists()


def test_a_later_schedule_never_extends_an_earlier_one(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    early = personas.call.closes_at + timedelta(days=100)
    application_schedule_erasure(application=application, at=early, reason="first")
    application_schedule_erasure(application=application, at=early + timedelta(days=50),
                                 reason="second")
    application.refresh_from_db()
    assert application.erase_after == early and application.erase_after_reason == "first"
