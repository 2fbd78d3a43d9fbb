"""Sessions: Django's database sessions in a table that also keeps the signed-in
person's key, read together with the person by a query built once per process."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kohorte.accounts.backends import USER_BACKEND, UserBackend
from kohorte.accounts.models import User
from kohorte.core.jobs import sessions_expire_due
from kohorte.core.models import Session
from kohorte.core.sessions import SessionStore, person_read
from kohorte.core.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_stored_session_reads_back_and_decodes_as_djangos_store_decodes_it():
    store = SessionStore()
    store["answer"] = {"step": "contact", "n": 42}
    store.save()
    assert SessionStore(store.session_key).load() == {"answer": {"step": "contact", "n": 42}}
    row = Session.objects.get(session_key=store.session_key)
    assert DjangoStore().decode(row.session_data) == {"answer": {"step": "contact", "n": 42}}
    assert row.user_id is None  # nobody signed in
    assert SessionStore().exists(store.session_key)
    assert not SessionStore().exists("x" * 32) and not SessionStore().exists("")
    assert not DjangoSession.objects.exists()  # Django's own table is not used


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key_when_saved():
    store = SessionStore()
    store["who"] = "someone"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("y" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    unknown["fresh"] = True
    unknown.save()
    assert unknown.session_key not in (None, "y" * 32)
    assert SessionStore(unknown.session_key).load() == {"fresh": True}


def test_a_session_whose_data_was_tampered_with_is_empty():
    store = SessionStore()
    store["role"] = "applicant"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="forged:data")
    assert SessionStore(store.session_key).load() == {}


def _signed_in(user):
    store = SessionStore()
    store.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: USER_BACKEND,
                  HASH_SESSION_KEY: user.get_session_auth_hash()})
    store.save()
    return store.session_key


def test_a_signed_in_session_keeps_the_persons_key_and_reads_the_person_with_it():
    person = f.make_applicant()
    key = _signed_in(person)
    assert Session.objects.get(session_key=key).user_id == person.pk
    store = SessionStore(key)
    with CaptureQueriesContext(connection) as queries:
        assert store[SESSION_KEY] == str(person.pk)
        user = UserBackend().get_user(person.pk)
    assert len(queries.captured_queries) == 1
    assert user.pk == person.pk and user.email == person.email and user.has_course is False
    assert user.get_session_auth_hash() == person.get_session_auth_hash()
    assert person_read.get() is None  # taken once


def test_the_read_person_is_never_taken_for_another_id():
    person, other = f.make_applicant(), f.make_applicant()
    SessionStore(_signed_in(person)).load()
    with CaptureQueriesContext(connection) as queries:
        user = UserBackend().get_user(other.pk)
    assert user.pk == other.pk and len(queries.captured_queries) == 1  # asked for, not taken
    # A new request's session starts with nothing read.
    SessionStore(_signed_in(person)).load()
    SessionStore()
    assert person_read.get() is None


def test_a_person_gone_or_deactivated_since_is_signed_out(client):
    person = f.make_applicant()
    client.force_login(person, backend=USER_BACKEND)
    page = reverse("applications:my_applications")
    assert client.get(page).status_code == 200
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert client.get(page).status_code == 302  # to the sign-in page
    User.objects.filter(pk=person.pk).update(is_active=True)
    assert client.get(page).status_code == 200
    # The key in the signed data decides, never the column: were the column to name
    # someone else, that person is not taken for the one signed in.
    other = f.make_applicant()
    Session.objects.filter(user_id=person.pk).update(user_id=other.pk)
    response = client.get(page)
    assert response.status_code == 200 and response.wsgi_request.user.pk == person.pk
    User.objects.filter(pk=person.pk).delete()
    assert client.get(page).status_code == 302


def test_a_session_saved_before_the_persons_column_still_signs_in(client):
    # Sessions moved over from Django's table (migration core 0005) have no person's
    # key yet: the person is read by a query of their own.
    person = f.make_applicant()
    client.force_login(person, backend=USER_BACKEND)
    Session.objects.update(user_id=None)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("applications:my_applications")).status_code == 200
    assert any('FROM "accounts_user"' in q["sql"] and '"core_session"' not in q["sql"]
               for q in queries.captured_queries)


def test_expired_sessions_are_deleted_by_the_hourly_job():
    live, old = _signed_in(f.make_applicant()), _signed_in(f.make_applicant())
    Session.objects.filter(session_key=old).update(expire_date=timezone.now() - timedelta(1))
    assert sessions_expire_due() == "1 expired sessions deleted"
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
