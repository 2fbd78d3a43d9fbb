"""Shared test set-up: Hypothesis profiles, private file storage in a temporary folder,
and the personas."""

import os
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# HYPOTHESIS_PROFILE=ci (set by .ci/run) keeps CI fast and reproducible; the default
# "dev" profile runs more examples. Registered here so that every property test of
# the suite, run alone or together, gets the same profile.
hypothesis_settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile(
    "dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff personas have passwords; the real hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }


@pytest.fixture
def personas(db):
    """The named people every view test needs, around one programme and its open call.

    applicant / second_applicant: people without staff rights; coordinator and
    coordinator2 (four-eyes), reviewer, lecturer, evaluator, funder, admin: staff with
    that role in the programme; outsider: staff of another programme.
    """
    from kohorte.core.tests import factories as f

    programme = f.make_programme()
    other = f.make_programme()
    call = f.make_call(programme)
    people = SimpleNamespace(programme=programme, call=call, other_programme=other)
    people.applicant = f.make_applicant("applicant@example.org")
    people.second_applicant = f.make_applicant("second@example.org")
    for role in ["coordinator", "reviewer", "lecturer", "evaluator", "funder", "admin"]:
        setattr(people, role, f.make_staff(role, programme, email=f"{role}@example.org"))
    people.coordinator2 = f.make_staff("coordinator", programme, email="coordinator2@example.org")
    people.outsider = f.make_staff("coordinator", other, email="outsider@example.org")
    return people


@pytest.fixture(autouse=True)
def _reference_sequences_dropped(request, django_db_blocker):
    """After a test that commits (transactional, live server), drop the PostgreSQL
    sequences that count reference numbers: unlike the tables they survive the flush,
    and the next test would count on from there."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if not ({"transactional_db", "live_server"} & set(request.fixturenames)
            or (marker and marker.kwargs.get("transaction"))):
        return
    from django.db import connection

    from kohorte.applications.services.references import SEQUENCE_NAME_START

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'S' "
                       "AND starts_with(relname, %s)", [SEQUENCE_NAME_START])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP SEQUENCE IF EXISTS "{name}"')
