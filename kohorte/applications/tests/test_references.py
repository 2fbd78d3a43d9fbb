"""Reference numbers: counted per prefix and year; on PostgreSQL by a sequence that
lets no submitter wait for another (services/references.py)."""

import re
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from kohorte.applications import services
from kohorte.applications.models import Application, ReferenceCounter
from kohorte.applications.services import references
from kohorte.core.tests import factories as f

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                      reason="the sequences are PostgreSQL's")


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sequences():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'S' "
                       "AND starts_with(relname, %s)", [references.SEQUENCE_NAME_START])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.parametrize("prefix", ["GWA", "gwa", 'A"; DROP', "Qualität–ÄÖÜ", "x" * 10, "-"])
def test_a_sequence_name_is_a_plain_identifier_whatever_the_prefix(prefix):
    name = references.sequence_name(prefix, 2026)
    assert re.fullmatch(r"[a-z0-9_]{1,63}", name)
    assert name.startswith(references.SEQUENCE_NAME_START)


def test_sequence_names_differ_by_prefix_and_year():
    names = {references.sequence_name(prefix, year)
             for prefix in ["GWA", "gwa", "GWB"] for year in [2026, 2027]}
    assert len(names) == 6


@pytest.mark.django_db
def test_the_next_number_can_be_set_and_is_read_without_taking_it(personas):
    call = personas.call
    assert services.reference_next_number(call) == 1
    services.reference_next_number_set(call, 120)
    assert services.reference_next_number(call) == services.reference_next_number(call) == 120
    submitted = f.make_application(call, personas.applicant, submit=True)
    assert submitted.reference.endswith("-0120")
    assert services.reference_next_number(call) == 121
    services.reference_next_number_set(call, 0)  # below 1: counts from 1
    assert services.reference_next_number(call) == 1


@pytest.mark.django_db
def test_sqlite_counts_in_the_counter_row(personas):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL counts in a sequence")
    f.make_application(personas.call, personas.applicant, submit=True)
    year = timezone.localtime(personas.call.closes_at).year
    assert ReferenceCounter.objects.get(prefix="GWA", year=year).next_number == 2


@needs_postgresql
@pytest.mark.django_db
def test_the_first_submit_of_a_prefix_and_year_makes_its_sequence_where_the_counter_stood(
        personas):
    # An installation from before the sequences: its counter row holds the count.
    call = personas.call
    year = timezone.localtime(call.closes_at).year
    ReferenceCounter.objects.create(prefix="GWA", year=year, next_number=17)
    assert references.sequence_name("GWA", year) not in _sequences()
    first = f.make_application(call, personas.applicant, submit=True)
    second = f.make_application(call, personas.second_applicant, submit=True)
    assert (first.reference, second.reference) == (f"GWA-{year}-0017", f"GWA-{year}-0018")
    assert references.sequence_name("GWA", year) in _sequences()
    # The counter row is not counted any more: the sequence is.
    assert ReferenceCounter.objects.get(prefix="GWA", year=year).next_number == 17


@needs_postgresql
@pytest.mark.django_db
def test_a_new_sequence_starts_past_references_given_without_it(personas):
    call = personas.call
    year = timezone.localtime(call.closes_at).year
    typed = f.make_application(call, personas.second_applicant)
    Application.objects.filter(pk=typed.pk).update(state="submitted", submitted_at=timezone.now(),
                                                   reference=f"GWA-{year}-0009")
    submitted = f.make_application(call, personas.applicant, submit=True)
    assert submitted.reference == f"GWA-{year}-0010"


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_taking_a_number_never_waits_for_a_submit_still_open(personas):
    # With a counter row the second taker would wait until the first commits; here it
    # gets its number at once, under a lock timeout that would stop any wait.
    call = personas.call
    services.reference_next_number_set(call, 1)  # the sequence exists
    taken, first_holds, second_done, errors = [], threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                taken.append(references.reference_take(call))
                first_holds.set()
                second_done.wait(timeout=10)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_holds.wait(timeout=10)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
            taken.append(references.reference_take(call))
    except OperationalError as exc:
        errors.append(exc)
    finally:
        second_done.set()
        thread.join(timeout=10)
    assert errors == []
    assert sorted(number[-4:] for number in taken) == ["0001", "0002"]


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_drop_after_committing_tests_leaves_no_sequence_behind(personas):
    # The conftest drops the sequences after tests like this one; this test only
    # proves that it made one, its successor in the file that none is left.
    f.make_application(personas.call, personas.applicant, submit=True)
    assert _sequences()


@needs_postgresql
@pytest.mark.django_db
def test_no_sequence_is_left_from_a_committing_test_before():
    assert _sequences() == set()
