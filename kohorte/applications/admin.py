from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kohorte.core.admin import MatrixAdmin

from .models import Call, CallModule


class CallModuleInline(admin.TabularInline):
    model = CallModule
    extra = 0

    def _may(self, request, obj):
        return self.admin_site._registry[Call].may(request, obj)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


@admin.register(Call)
class CallAdmin(MatrixAdmin):
    """Texts, dates and places of a call. Publishing and closing happen on the call's
    back-office page (audited services), so the state is read-only here."""

    matrix = ("call", "edit")
    programme_path = "programme"
    list_display = ["title", "programme", "state", "opens_at", "closes_at", "places"]
    list_select_related = ["programme"]
    list_filter = ["state", "programme"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["state"]
    inlines = [CallModuleInline]
    fieldsets = [
        (None, {"fields": ["programme", "title", "slug", "state", "summary"]}),
        (_("Texts"), {"fields": ["description", "eligibility_criteria", "selection_criteria",
                              "privacy_notice"]}),
        (_("Dates and places"), {"fields": ["opens_at", "closes_at", "places", "funding_year",
                                           "min_weekly_hours", "release_due_date",
                                           "release_template", "waiting_list_closes_on",
                                           "reference_prefix"]}),
    ]

    def save_model(self, request, obj, form, change):
        if "release_template" in form.changed_data and obj.release_template:
            obj.release_template_name = form.cleaned_data["release_template"].name[:200]
        super().save_model(request, obj, form, change)
