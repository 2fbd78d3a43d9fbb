"""Sessions are Django's database sessions, read by a query built once per process."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from kohorte.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_stored_session_reads_as_djangos_store_reads_it():
    store = SessionStore()
    store["answer"] = {"step": "contact", "n": 42}
    store.save()
    assert SessionStore(store.session_key).load() == {"answer": {"step": "contact", "n": 42}}
    assert DjangoStore(store.session_key).load() == SessionStore(store.session_key).load()
    assert SessionStore().exists(store.session_key)
    assert not SessionStore().exists("x" * 32) and not SessionStore().exists("")


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key_when_saved():
    store = SessionStore()
    store["who"] = "someone"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert DjangoStore(store.session_key).load() == {}
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
