"""Migration core 0005 moves the sessions over: nobody is signed out by the update."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kohorte.accounts.backends import USER_BACKEND
from kohorte.core.tests import factories as f
from kohorte.core.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("core", "0004_plain_indexes")]
AFTER = [("core", "0005_sessions")]



@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_live_sessions_move_to_the_new_table_and_still_sign_in():
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    person = f.make_applicant()
    migrate_to(BEFORE)
    try:
        live = DjangoStore()
        live.update({SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: USER_BACKEND,
                     HASH_SESSION_KEY: person.get_session_auth_hash()})
        live.save()
        expired = DjangoStore()
        expired["x"] = 1
        expired.set_expiry(timezone.now() - timedelta(minutes=1))
        expired.save()

        apps = migrate_to(AFTER)
        Session = apps.get_model("core", "Session")
        assert list(Session.objects.values_list("session_key", "user_id")) == [
            (live.session_key, None)]
        client = Client()
        client.cookies["sessionid"] = live.session_key
        response = client.get(reverse("applications:my_applications"))
        assert response.status_code == 200 and response.wsgi_request.user.pk == person.pk
    finally:
        migrate_to_latest()
