"""Double clicks, retries and races never create two applications or two confirmations.

The threaded tests need a database with row locks and concurrent writers: they run on
PostgreSQL and are skipped on SQLite (one writer at a time, in-memory per connection).
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from kohorte.accounts import services as account_services
from kohorte.accounts.models import LoginToken
from kohorte.applications import services
from kohorte.applications.models import Application, Eligibility
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from .test_journey import english_client

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers with row locks need PostgreSQL; SQLite serialises all writes",
)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run_together(target, count):
    """Start ``count`` threads at the same moment; return their results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index):
        try:
            barrier.wait()
            results.append(target(index))
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db
def test_the_database_holds_one_application_per_person_and_call(personas):
    Application.objects.create(call=personas.call, applicant=personas.applicant,
                               email=personas.applicant.email)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(call=personas.call, applicant=personas.applicant,
                                   email=personas.applicant.email)
    assert Application.objects.filter(applicant=personas.applicant).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_submitted_application_without_reference(personas):
    application = f.make_application(personas.call, personas.applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(state="submitted")


@pytest.mark.django_db
def test_a_double_click_on_submit_gives_one_reference_and_one_mail(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = english_client(personas.applicant)
    url = reverse("applications:apply_submit", args=[application.pk])
    first, second = client.post(url), client.post(url)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    application.refresh_from_db()
    assert application.reference.endswith("-0001")
    assert f.next_reference_number(personas.call) == 2
    assert OutboxMail.objects.filter(template="application_submitted").count() == 1
    assert AuditEntry.objects.filter(action="application.submit").count() == 1


@pytest.mark.django_db
def test_a_retried_submit_returns_the_same_application(personas):
    application = f.make_application(personas.call, personas.applicant, submit=True)
    for _ in range(3):
        again = services.application_submit(application=application, actor=personas.applicant)
        assert again.reference == application.reference
        assert again.submitted_at == application.submitted_at
    assert OutboxMail.objects.filter(template="application_submitted").count() == 1


@pytest.mark.django_db
def test_calls_sharing_a_prefix_and_year_never_share_a_reference(personas):
    first_call = personas.call
    second_call = f.make_call(personas.programme, closes_at=first_call.closes_at)
    assert first_call.reference_prefix == second_call.reference_prefix
    a = f.make_application(first_call, personas.applicant, submit=True)
    b = f.make_application(second_call, personas.second_applicant, submit=True)
    c = f.make_application(second_call, f.make_applicant(), submit=True)
    references = {a.reference, b.reference, c.reference}
    assert len(references) == 3
    assert a.reference.endswith("-0001")
    assert b.reference.endswith("-0002") and c.reference.endswith("-0003")
    assert f.next_reference_number(first_call) == f.next_reference_number(second_call) == 4


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="the path for SQLite before 3.35 (Django's own inserts need it too)")
@pytest.mark.django_db
def test_without_returning_rows_the_number_is_read_back(personas, monkeypatch):
    # SQLite before 3.35 returns no rows from an INSERT.
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    a = f.make_application(personas.call, personas.applicant, submit=True)
    b = f.make_application(personas.call, personas.second_applicant, submit=True)
    assert a.reference.endswith("-0001") and b.reference.endswith("-0002")


# The two ways in: the service with an application read before (the demo, the tests)
# and the form's submit, which reads it under the lock by its key and owner.
SUBMITTERS = {
    "object": lambda application, user: services.application_submit(application=application,
                                                                     actor=user),
    "form": lambda application, user: services.application_submit_own(pk=application.pk,
                                                                      user=user),
}


@pytest.mark.django_db
@pytest.mark.parametrize("submit_as", SUBMITTERS.values(), ids=SUBMITTERS.keys())
def test_a_reference_written_past_the_counter_is_skipped_and_nothing_is_written_twice(
        personas, submit_as):
    # A reference the counter did not give (typed into the database by hand): the
    # submit meets the unique index, starts again past it and writes everything once.
    call = personas.call
    year = timezone.localtime(call.closes_at).year
    other = f.make_application(call, personas.second_applicant, submit=True)
    Application.objects.filter(pk=other.pk).update(reference=f"GWA-{year}-0005")
    services.reference_next_number_set(call, 5)
    application = f.make_application(call, personas.applicant)
    submitted = submit_as(application, personas.applicant)
    assert submitted.reference == f"GWA-{year}-0006"
    application.refresh_from_db()
    assert application.reference == f"GWA-{year}-0006"
    assert f.next_reference_number(call) == 7
    assert OutboxMail.objects.filter(template="application_submitted",
                                     about_id=str(application.pk)).count() == 1
    entries = AuditEntry.objects.filter(object_id=str(application.pk),
                                        action__in=["application.submit", "eligibility.assess"])
    assert sorted(entries.values_list("action", "object_repr")) == [
        ("application.submit", f"GWA-{year}-0006"), ("eligibility.assess", f"GWA-{year}-0006")]
    assert Eligibility.objects.filter(application=application).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_to_calls_sharing_a_prefix_number_without_gaps(personas):
    second_call = f.make_call(personas.programme, closes_at=personas.call.closes_at)
    applications = [f.make_application(personas.call if i % 2 else second_call,
                                       f.make_applicant()) for i in range(10)]

    def submit(index):
        return services.application_submit(application=applications[index],
                                           actor=applications[index].applicant).reference

    results, errors = _run_together(submit, 10)
    assert errors == []
    year = timezone.localtime(personas.call.closes_at).year
    assert sorted(results) == [f"GWA-{year}-{n:04d}" for n in range(1, 11)]
    assert f.next_reference_number(personas.call) == 11
    assert OutboxMail.objects.filter(template="application_submitted").count() == 10


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("submit_as", SUBMITTERS.values(), ids=SUBMITTERS.keys())
def test_concurrent_submits_of_one_application_give_one_reference_and_one_mail(
        personas, submit_as):
    application = f.make_application(personas.call, personas.applicant)

    def submit(_index):
        return submit_as(application, personas.applicant).reference

    results, errors = _run_together(submit, 8)
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    application.refresh_from_db()
    assert application.reference == results[0]
    assert f.next_reference_number(personas.call) == 2
    assert OutboxMail.objects.filter(template="application_submitted").count() == 1
    assert AuditEntry.objects.filter(action="application.submit").count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_starts_open_one_application(personas):
    def start(_index):
        return services.application_start(call=personas.call, applicant=personas.applicant).pk

    results, errors = _run_together(start, 8)
    assert errors == []
    assert len(set(results)) == 1
    assert Application.objects.filter(applicant=personas.applicant).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_of_different_people_get_distinct_numbers(personas):
    applications = [f.make_application(personas.call, f.make_applicant()) for _ in range(6)]

    def submit(index):
        application = applications[index]
        return services.application_submit(application=application,
                                           actor=application.applicant).reference

    results, errors = _run_together(submit, len(applications))
    assert errors == []
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in results)
    assert numbers == list(range(1, len(applications) + 1))


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_to_calls_sharing_a_prefix_all_succeed(personas):
    other_call = f.make_call(personas.programme, closes_at=personas.call.closes_at)
    applications = [f.make_application(call, f.make_applicant())
                    for call in [personas.call, other_call] * 3]

    def submit(index):
        application = applications[index]
        return services.application_submit(application=application,
                                           actor=application.applicant).reference

    results, errors = _run_together(submit, len(applications))
    assert errors == []
    assert len(set(results)) == len(applications)


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sign_in_link_pressed_twice_at_once_signs_in_once():
    account_services.login_link_request(email="neu@example.org")
    mail = OutboxMail.objects.get(template="login_link")
    token = mail.body.split("/konto/anmelden/link/")[1].split("/")[0]

    def redeem(_index):
        return account_services.login_token_redeem(token=token)[0].pk

    results, errors = _run_together(redeem, 6)
    assert len(results) == 1 and len(errors) == 5
    assert LoginToken.objects.get().used_at is not None
    assert AuditEntry.objects.filter(action="user.create").count() == 1
