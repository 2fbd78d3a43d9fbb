"""Queries built once (core.prepared) give what the ORM gives, on SQLite and PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from kohorte.applications import selectors
from kohorte.applications.models import Application, Call
from kohorte.core.models import AuditEntry
from kohorte.core.prepared import Prepared, PreparedInsert, PreparedUpdate, instance
from kohorte.core.tests import factories as f

pytestmark = pytest.mark.django_db


def _calls(programme_id):
    return (Call.objects.filter(programme_id=programme_id)
            .values_list("pk", "title", "closes_at", "release_due_date", "min_weekly_hours",
                         "programme__lead_institution__name").order_by("pk"))


def test_rows_are_the_orms_rows_with_dates_and_decimals_converted():
    programme = f.make_programme()
    first = f.make_call(programme, slug="eins", min_weekly_hours=Decimal("19.5"))
    f.make_call(programme, slug="zwei", closes_at=first.closes_at + timedelta(days=3))
    other = f.make_call(slug="anders")
    prepared = Prepared(_calls, programme_id=int)
    rows = prepared.rows(programme_id=programme.pk)
    assert rows == list(_calls(programme.pk))
    assert len(rows) == 2 and rows[0][4] == Decimal("19.5")
    assert rows[0][2].tzinfo is not None  # an aware datetime, as the ORM gives it
    # Built once, run again with other values.
    assert prepared.rows(programme_id=other.programme_id) == list(_calls(other.programme_id))
    assert prepared.rows(programme_id=-1) == []
    assert prepared.exists(programme_id=programme.pk) and not prepared.exists(programme_id=-1)


def test_string_values_and_the_row_lock_inside_a_transaction():
    call = f.make_call()
    locked = Prepared(lambda slug: Call.objects.select_for_update().filter(slug=slug)
                      .values_list("pk"), slug=str)
    with transaction.atomic():
        assert locked.rows(slug=call.slug) == [(call.pk,)]
        assert locked.rows(slug="gibt-es-nicht") == []


def test_a_value_that_is_no_parameter_or_of_another_type_is_refused():
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda pk: Call.objects.filter(pk=pk), when=timezone.datetime)
    unused = Prepared(lambda pk: Call.objects.values_list("pk"), pk=int)
    with pytest.raises(ImproperlyConfigured):
        unused.rows(pk=1)


def test_instance_defers_what_the_row_does_not_hold():
    call = f.make_call()
    made = instance(Call, {"id": call.pk, "title": call.title})
    assert made.pk == call.pk and made.title == call.title
    assert made.get_deferred_fields() >= {"slug", "closes_at"}
    assert made.slug == call.slug  # read on access, as with only()


def test_the_submit_read_is_the_owners_application_and_nobody_elses(personas):
    from kohorte.applications.services.submission import (
        OWN_APPLICATION_FIELDS,
        OWN_CALL_FIELDS,
        _read_own_under_lock,
    )

    application = f.make_application(personas.call, personas.applicant)
    with transaction.atomic():
        mine, has_release, site_funded, _row = _read_own_under_lock(
            pk=application.pk, user_id=personas.applicant.pk)
    whole = Application.objects.select_related("call__programme__lead_institution").get(
        pk=application.pk)
    for name in OWN_APPLICATION_FIELDS:
        assert getattr(mine, name) == getattr(whole, name), name
    for name in OWN_CALL_FIELDS:
        assert getattr(mine.call, name) == getattr(whole.call, name), name
    assert mine.call.programme.lead_institution.name == whole.call.programme.lead_institution.name
    assert site_funded is True  # the factory's site is funded in the call's year
    assert has_release is whole.documents.filter(kind="employer_release").exists()
    assert _read_own_under_lock(pk=application.pk, user_id=personas.second_applicant.pk)[0] is None
    assert _read_own_under_lock(pk=application.pk + 999, user_id=personas.applicant.pk)[0] is None


def test_inserts_set_keys_stamp_times_and_store_json_like_bulk_create():
    before = timezone.now()
    entries = [AuditEntry(actor_label="system", action="test.one", object_type="x",
                          object_id="1", data={"ä": [1, 2], "b": None}),
               AuditEntry(actor_label="system", action="test.two", object_type="x",
                          object_id="2", data={})]
    insert = PreparedInsert(AuditEntry)
    assert insert.insert(entries) is entries
    assert all(entry.pk and not entry._state.adding for entry in entries)
    assert entries[0].pk < entries[1].pk
    stored = AuditEntry.objects.get(pk=entries[0].pk)
    assert stored.data == {"ä": [1, 2], "b": None} and stored.action == "test.one"
    assert stored.created_at >= before.replace(microsecond=0)
    # Built per number of rows; one row again.
    (single,) = insert.insert([AuditEntry(actor_label="x", action="test.three",
                                          object_type="x", object_id="3")])
    assert AuditEntry.objects.get(pk=single.pk).action == "test.three"
    assert insert.insert([]) == []


def test_an_update_writes_the_fields_and_stamps_auto_now(personas):
    application = f.make_application(personas.call, personas.applicant)
    stamp = application.updated_at
    update = PreparedUpdate(Application, ["reference", "updated_at"])
    application.reference = "TEST-2026-0001"
    assert update.update(application) == 1
    stored = Application.objects.get(pk=application.pk)
    assert stored.reference == "TEST-2026-0001" and stored.updated_at > stamp
    assert stored.first_name == application.first_name  # nothing else written
    gone = instance(Application, {"id": application.pk + 999, "reference": "X"})
    assert update.update(gone) == 0


def test_an_update_built_on_empty_values_writes_later_values_and_back(personas):
    # Built while the fields are empty, then used with values, then with None again:
    # each value is a parameter, none is fixed into the statement.
    application = f.make_application(personas.call, personas.applicant)
    update = PreparedUpdate(Application, ["accessibility_needs", "accessibility_consent_at",
                                          "site_id", "updated_at"])
    application.accessibility_needs, application.accessibility_consent_at = "", None
    application.site_id = None
    update.update(application)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.accessibility_consent_at, stored.site_id) == (None, None)
    now = timezone.now()
    site = f.make_site(personas.call.programme)
    application.accessibility_needs, application.accessibility_consent_at = "Rampe", now
    application.site_id = site.pk
    update.update(application)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.accessibility_needs, stored.accessibility_consent_at, stored.site_id) == (
        "Rampe", now, site.pk)
    application.accessibility_consent_at, application.site_id = None, None
    update.update(application)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.accessibility_consent_at, stored.site_id) == (None, None)


def test_the_locked_read_is_the_whole_application_and_call(personas):
    from django.forms.models import model_to_dict

    application = f.make_application(personas.call, personas.applicant)
    with transaction.atomic():
        locked = selectors.application_locked(pk=application.pk)
        assert selectors.application_locked(pk=application.pk + 999) is None
    whole = Application.objects.select_related("call").get(pk=application.pk)
    assert model_to_dict(locked) == model_to_dict(whole) and locked.get_deferred_fields() == set()
    assert model_to_dict(locked.call) == model_to_dict(whole.call)


def test_the_form_read_is_the_whole_application_and_call_of_the_owner_only(personas):
    from django.forms.models import model_to_dict

    application = f.make_application(personas.call, personas.applicant)
    mine = selectors.application_for_applicant(user=personas.applicant, pk=application.pk)
    whole = Application.objects.select_related("call").get(pk=application.pk)
    assert model_to_dict(mine) == model_to_dict(whole) and mine.get_deferred_fields() == set()
    assert model_to_dict(mine.call) == model_to_dict(whole.call)
    assert mine.steps_done == whole.steps_done and mine.weekly_hours == whole.weekly_hours
    assert selectors.application_for_applicant(user=personas.second_applicant,
                                               pk=application.pk) is None


def _batched_writes(personas, batch):
    application = f.make_application(personas.call, personas.applicant)
    application.reference = "TEST-2026-0042"
    PreparedUpdate(Application, ["reference", "updated_at"]).update(application, batch=batch)
    entries = [AuditEntry(actor_label="system", action="test.batch", object_type="x",
                          object_id=str(n), data={"n": n}) for n in range(2)]
    PreparedInsert(AuditEntry).insert(entries, batch=batch)
    (single,) = PreparedInsert(AuditEntry).insert(
        [AuditEntry(actor_label="system", action="test.single", object_type="x", object_id="9")],
        batch=batch)
    return application, entries + [single]


def test_a_batch_writes_on_run_in_one_statement_on_postgresql(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kohorte.core.prepared import Batch

    batch = Batch()
    application, entries = _batched_writes(personas, batch)
    # Nothing written yet, and no keys to read back.
    assert all(entry.pk is None for entry in entries)
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()
    assert Application.objects.get(pk=application.pk).reference is None
    with CaptureQueriesContext(connection) as queries:
        batch.run()
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert Application.objects.get(pk=application.pk).reference == "TEST-2026-0042"
    assert sorted(AuditEntry.objects.filter(action__startswith="test.")
                  .values_list("action", "object_id", "data")) == [
        ("test.batch", "0", {"n": 0}), ("test.batch", "1", {"n": 1}), ("test.single", "9", {})]
    with CaptureQueriesContext(connection) as queries:
        batch.run()  # ran once: empty now
    assert len(queries) == 0


def test_a_batch_with_a_failing_write_writes_none_of_them(personas):
    from django.db import IntegrityError

    from kohorte.core.prepared import Batch

    taken = f.make_application(f.make_call(personas.call.programme, slug="andere"),
                               personas.applicant)
    Application.objects.filter(pk=taken.pk).update(reference="TEST-2026-0042")
    batch = Batch()
    application, _entries = _batched_writes(personas, batch)
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.run()
    assert Application.objects.get(pk=application.pk).reference is None
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()


def test_what_cannot_be_batched_is_refused():
    from django.db.models import Value

    from kohorte.core.prepared import Batch

    entry = AuditEntry(actor_label=Value("system"), action="test.expr", object_type="x",
                       object_id="1")
    with pytest.raises(ImproperlyConfigured):
        PreparedInsert(AuditEntry).insert([entry], batch=Batch())


def test_instances_split_a_joined_row_and_refuse_a_row_of_another_shape():
    from kohorte.core.prepared import columns, instances

    call = f.make_call()
    (row,) = Call.objects.filter(pk=call.pk).values_list(
        *columns(Call), *(f"programme__{name}" for name in columns(type(call.programme))))
    read_call, programme = instances(row, Call, type(call.programme))
    assert (read_call.pk, read_call.slug, programme.pk, programme.name) == (
        call.pk, call.slug, call.programme.pk, call.programme.name)
    with pytest.raises(ImproperlyConfigured):
        instances(row, Call)
