"""The Django admin: reference data and accounts, allowed by the permission matrix."""

import pytest
from django.contrib import admin
from django.urls import reverse

from kohorte.accounts.models import Role, User
from kohorte.applications.models import Call
from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.programmes.models import Organisation


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _as(client, user):
    return f.login_staff(client, user)


def test_a_superuser_opens_every_list_of_the_admin(client, personas):
    root = f.make_staff(email="root@example.org")
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    root.refresh_from_db()
    f.make_application(personas.call, submit=True)
    _as(client, root)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_the_admin_sign_in_is_the_staff_sign_in(client, personas):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:staff_login"))
    client.force_login(personas.applicant)
    assert client.get(reverse("admin:index")).status_code == 403


def test_a_password_alone_does_not_open_the_admin(client, personas):
    client.force_login(personas.coordinator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:staff_login"))


def test_the_coordinator_edits_a_call_and_the_change_is_audited(client, personas):
    call = personas.call
    url = reverse("admin:applications_call_change", args=[call.pk])
    page = _as(client, personas.coordinator).get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "release_template"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({
        "places": "24", "opens_at_0": call.opens_at.strftime("%Y-%m-%d"),
        "opens_at_1": call.opens_at.strftime("%H:%M:%S"),
        "closes_at_0": call.closes_at.strftime("%Y-%m-%d"),
        "closes_at_1": call.closes_at.strftime("%H:%M:%S"),
        "modules-TOTAL_FORMS": "0", "modules-INITIAL_FORMS": "0",
        "modules-MIN_NUM_FORMS": "0", "modules-MAX_NUM_FORMS": "1000",
    })
    data.pop("opens_at", None)
    data.pop("closes_at", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call.refresh_from_db()
    assert call.places == 24
    entry = AuditEntry.objects.get(action="call.edit")
    assert entry.actor == personas.coordinator and "places" in entry.data["fields"]


def test_the_state_of_a_call_cannot_be_changed_in_the_admin(client, personas):
    page = _as(client, personas.coordinator).get(
        reverse("admin:applications_call_change", args=[personas.call.pk]))
    assert "state" not in page.context["adminform"].form.fields


def test_a_coordinator_can_only_choose_their_own_programmes(client, personas):
    page = _as(client, personas.coordinator).get(reverse("admin:applications_call_add"))
    choices = set(page.context["adminform"].form.fields["programme"].queryset)
    assert choices == {personas.programme}


def test_calls_of_other_programmes_do_not_exist_for_a_coordinator(client, personas):
    other_call = f.make_call(personas.other_programme)
    _as(client, personas.coordinator)
    listing = client.get(reverse("admin:applications_call_changelist"))
    assert other_call not in listing.context["cl"].queryset
    response = client.get(reverse("admin:applications_call_change", args=[other_call.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "lecturer", "evaluator", "funder"])
def test_roles_without_reference_data_see_nothing_to_edit(client, personas, role):
    _as(client, getattr(personas, role))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert client.get(reverse("admin:programmes_organisation_changelist")).status_code == 403
    assert client.post(reverse("admin:programmes_organisation_add"),
                       {"name": "Neu"}).status_code == 403
    assert not Organisation.objects.filter(name="Neu").exists()


def test_the_administrator_adds_an_organisation_and_it_is_audited(client, personas):
    response = _as(client, personas.admin).post(
        reverse("admin:programmes_organisation_add"),
        {"name": "Nachbarschaftsverein Nordstadt", "municipality": "Kassel"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Nachbarschaftsverein Nordstadt")
    assert AuditEntry.objects.filter(action="organisation.create",
                                     object_id=str(organisation.pk)).exists()


def test_reference_data_is_not_deleted_by_staff(client, personas):
    organisation = Organisation.objects.create(name="Alt")
    response = _as(client, personas.admin).post(
        reverse("admin:programmes_organisation_delete", args=[organisation.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_the_administrator_creates_a_staff_account(client, personas):
    response = _as(client, personas.admin).post(reverse("admin:accounts_user_add"), {
        "email": "Neue.Kollegin@Example.org", "display_name": "Neue Kollegin",
        "password1": "Start-Passwort-2026!", "password2": "Start-Passwort-2026!"})
    assert response.status_code == 302
    user = User.objects.get(email="neue.kollegin@example.org")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("Start-Passwort-2026!")


def test_the_administrator_sees_neither_applicants_nor_superusers(client, personas):
    root = f.make_staff(email="root@example.org")
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    response = _as(client, personas.admin).get(reverse("admin:accounts_user_changelist"))
    shown = set(response.context["cl"].queryset)
    assert personas.coordinator in shown
    assert personas.applicant not in shown and root not in shown
    assert personas.outsider not in shown
    page = client.get(reverse("admin:accounts_user_change", args=[personas.reviewer.pk]))
    assert "is_superuser" not in page.context["adminform"].form.fields


def test_the_administrator_grants_roles_only_in_their_programme(client, personas):
    _as(client, personas.admin)
    page = client.get(reverse("admin:accounts_role_add"))
    assert set(page.context["adminform"].form.fields["programme"].queryset) == {personas.programme}
    response = client.post(reverse("admin:accounts_role_add"), {
        "user": personas.lecturer.pk, "programme": personas.other_programme.pk,
        "kind": "coordinator"})
    assert response.status_code == 200
    assert not Role.objects.filter(user=personas.lecturer, programme=personas.other_programme).exists()
    granted = client.post(reverse("admin:accounts_role_add"), {
        "user": personas.lecturer.pk, "programme": personas.programme.pk, "kind": "reviewer"})
    assert granted.status_code == 302
    assert AuditEntry.objects.filter(action="role.create", actor=personas.admin).exists()


def test_a_coordinator_does_not_manage_roles(client, personas):
    role = Role.objects.get(user=personas.reviewer)
    _as(client, personas.coordinator)
    assert client.get(reverse("admin:accounts_role_change", args=[role.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_the_audit_log_and_the_outbox_are_read_only_even_for_superusers(client, personas):
    root = f.make_staff(email="root@example.org")
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    _as(client, root)
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:notifications_outboxmail_add")).status_code == 403
    client.logout()
    _as(client, personas.coordinator)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 403


def test_the_call_with_its_module_dates_appears_in_the_admin(client, personas):
    page = _as(client, personas.coordinator).get(
        reverse("admin:applications_call_change", args=[personas.call.pk]))
    formset = page.context["inline_admin_formsets"][0]
    assert formset.formset.queryset.count() == personas.call.modules.count() == 8
    assert Call.objects.get(pk=personas.call.pk).state == Call.State.PUBLISHED
