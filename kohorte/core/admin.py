"""Admin permissions from the permission matrix, and the core tables.

``MatrixAdmin`` replaces Django's model permissions by docs/permissions.md: a model
names the matrix cell that allows editing it and, if it belongs to a programme, the
lookup to that programme. Shared reference data (regions, organisations, sites ...)
belongs to no programme: whoever may edit reference data in some programme may edit
it. Changes made here are written to the audit log like any other change.
"""

from django.contrib import admin

from kohorte.programmes.models import Programme

from .access import can, programmes_where
from .audit import audit_record
from .models import AccessibilityFeedback, AuditEntry, SiteText


class MatrixAdmin(admin.ModelAdmin):
    matrix = ("reference_data", "edit")
    # Lookup from the model to its programme ("pk" for the programme itself); None for
    # shared reference data.
    programme_path: str | None = None
    add_allowed = True
    # Reference data is referred to by applications and reports: change it, don't
    # delete it (superusers may, where no row refers to it).
    delete_allowed = False

    def _programmes(self, request):
        return programmes_where(request.user, *self.matrix)

    def programme_of(self, obj):
        if self.programme_path == "pk":
            return obj
        for part in self.programme_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def may(self, request, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if obj is None or self.programme_path is None:
            return self._programmes(request).exists()
        return can(user, self.programme_of(obj), *self.matrix)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or self.programme_path is None:
            return queryset
        # Rows of the programmes the person has any role in are found (and refused
        # with 403 if the matrix says no); other programmes' rows do not exist here.
        mine = Programme.objects.filter(roles__user=request.user)
        return queryset.filter(**{f"{self.programme_path}__in": mine})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            from django.http import Http404

            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Programme and not request.user.is_superuser:
            kwargs["queryset"] = self._programmes(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return self.may(request)

    def has_view_permission(self, request, obj=None):
        return self.may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may(request, obj)

    def has_add_permission(self, request):
        return (self.add_allowed or request.user.is_superuser) and self.may(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or (self.delete_allowed and self.may(request, obj))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Field names only: the values may be personal (a name, an address).
        audit_record(actor=request.user, action=f"{obj._meta.model_name}.{'edit' if change else 'create'}",
                     obj=obj, data={"fields": sorted(form.changed_data), "via": "admin"})

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj,
                     data={"via": "admin"})
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A table to read, never to change through the admin (superusers only)."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteText)
class SiteTextAdmin(MatrixAdmin):
    list_display = ["key", "updated_at"]
    add_allowed = False  # the four texts exist from the start


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(MatrixAdmin):
    """Read-only: answers are written by e-mail; the list shows what is due."""

    list_display = ["created_at", "page", "answered_at"]
    list_filter = ["answered_at"]
    readonly_fields = ["created_at", "page", "message", "email", "answered_at"]
    add_allowed = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The whole log, for the installation's operators; staff read it per programme
    in the back office (/verwaltung/protokoll/)."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "created_at"
