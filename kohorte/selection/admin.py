"""The review stage in the Django admin: to read, not to change.

Criteria, policy versions, conflicts and reviews change only through the back-office
pages, whose services check the rules (no change after the first review, a new policy
version per save) and write the audit log. Here coordinators may look them up.
"""

from django.contrib import admin

from kohorte.core.admin import MatrixAdmin

from .models import (
    ConflictOfInterest,
    CriterionScore,
    ReviewAssignment,
    ReviewCriterion,
    SelectionPolicy,
)


class ReadMostlyAdmin(MatrixAdmin):
    """Visible as the matrix allows in the object's programme; never changed here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(ReadMostlyAdmin):
    matrix = ("review_criteria", "edit")
    programme_path = "call__programme"
    list_display = ["name", "call", "position", "weight"]
    list_select_related = ["call"]
    list_filter = ["call"]


@admin.register(SelectionPolicy)
class SelectionPolicyAdmin(ReadMostlyAdmin):
    matrix = ("selection_policy", "edit")
    programme_path = "call__programme"
    list_display = ["call", "version", "reviewers_per_application", "created_at", "created_by"]
    list_select_related = ["call", "created_by"]
    list_filter = ["call"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadMostlyAdmin):
    matrix = ("review_assignment", "manage")
    programme_path = "call__programme"
    list_display = ["reviewer", "call", "organisation", "application", "declared_at"]
    list_select_related = ["reviewer", "call", "organisation", "application"]
    list_filter = ["call"]


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0
    fields = ["criterion", "value", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.admin_site._registry[ReviewAssignment].has_view_permission(request, obj)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadMostlyAdmin):
    matrix = ("review", "view_all")
    programme_path = "application__call__programme"
    list_display = ["application", "reviewer", "assigned_at", "submitted_at", "score"]
    list_select_related = ["application", "reviewer"]
    list_filter = ["application__call"]
    inlines = [CriterionScoreInline]
