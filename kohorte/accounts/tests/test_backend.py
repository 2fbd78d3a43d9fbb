"""The signed-in person is read once per request, by a query built once per process."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kohorte.accounts.backends import USER_BACKEND, UserBackend, user_by_id
from kohorte.accounts.models import User
from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort

pytestmark = pytest.mark.django_db

COLUMNS = [field.attname for field in User._meta.concrete_fields]


def test_the_user_read_is_the_orms_user_with_every_column():
    person = f.make_staff(name="Ada Beispiel")
    ours, djangos = UserBackend().get_user(person.pk), ModelBackend().get_user(person.pk)
    assert type(ours) is User and ours.pk == person.pk
    assert [getattr(ours, name) for name in COLUMNS] == [getattr(djangos, name) for name in COLUMNS]
    # What the session's hash is made of is there: the session stays valid.
    assert ours.get_session_auth_hash() == djangos.get_session_auth_hash()


def test_no_user_for_a_missing_or_malformed_id_or_an_inactive_person():
    person = f.make_applicant()
    assert user_by_id(person.pk + 1000) is None
    assert user_by_id("abc") is None and user_by_id(None) is None
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert user_by_id(person.pk) is not None
    assert UserBackend().get_user(person.pk) is None


def test_whether_a_person_takes_part_in_a_course_comes_with_the_user(personas):
    make_cohort(personas.call, applicants=[personas.applicant], others=0)
    assert user_by_id(personas.applicant.pk).has_course is True
    assert user_by_id(personas.second_applicant.pk).has_course is False
    # Read any other way, the user asks the database.
    assert User.objects.get(pk=personas.applicant.pk).has_course is True
    assert User.objects.get(pk=personas.second_applicant.pk).has_course is False


def test_a_page_reads_the_session_and_the_person_in_one_query_and_links_the_course(
        client, personas):
    make_cohort(personas.call, applicants=[personas.applicant], others=0)
    client.force_login(personas.applicant, backend=USER_BACKEND)
    assert client.session[SESSION_KEY] == str(personas.applicant.pk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("applications:my_applications"))
    assert page.status_code == 200
    assert reverse("courses:participation_list") in page.content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0].startswith('SELECT "core_session"."session_data"')
    assert '"accounts_user"' in sql[0]
    # Neither the person nor whether they take part in a course is asked again.
    assert [s for s in sql if '"accounts_user"' in s] == [sql[0]]
    assert [s for s in sql if '"courses_participant"' in s] == [sql[0]]
    client.force_login(personas.second_applicant, backend=USER_BACKEND)
    assert reverse("courses:participation_list") not in client.get(
        reverse("applications:my_applications")).content.decode()
