from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from kohorte.core.admin import MatrixAdmin

from .models import Role, User
from .two_factor import recovery_codes_regenerate


class StaffCreationForm(BaseUserCreationForm):
    """A new staff account: e-mail address, name and a first password."""

    class Meta:
        model = User
        fields = ("email", "display_name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address exists already."))
        return email


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(MatrixAdmin, DjangoUserAdmin):
    """Staff accounts. Applicants' accounts are not shown: they are personal data of
    the applications, handled in the back office."""

    matrix = ("roles", "manage")
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["email", "display_name", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["email", "display_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password", "display_name"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                  "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "display_name", "password1", "password2"]})]
    actions = ["issue_recovery_codes"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Staff of the programmes the person administers, and new staff without a role.
        administered = self._programmes(request)
        return queryset.filter(is_staff=True, is_superuser=False).filter(
            Q(roles__programme__in=administered) | Q(roles__isnull=True)).distinct()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "groups", "user_permissions"}
        return [(name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
                for name, options in fieldsets]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = True  # accounts made here are staff; applicants sign up by link
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Issue new recovery codes (shown once)"))
    def issue_recovery_codes(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one account."), messages.ERROR)
            return None
        person = queryset.get()
        codes = recovery_codes_regenerate(user=person, actor=request.user)
        return TemplateResponse(request, "admin/accounts/user/recovery_codes.html", {
            **self.admin_site.each_context(request), "person": person, "codes": codes,
            "opts": self.model._meta, "title": _("New recovery codes"),
        })


@admin.register(Role)
class RoleAdmin(MatrixAdmin):
    matrix = ("roles", "manage")
    programme_path = "programme"
    delete_allowed = True  # taking a role away is part of managing roles
    list_display = ["user", "programme", "kind", "institution"]
    list_select_related = ["user", "programme", "institution"]
    list_filter = ["programme", "kind"]
    search_fields = ["user__email", "user__display_name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_staff=True).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
