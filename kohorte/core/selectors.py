"""Reads of the core tables for the back office, scoped to a programme."""

from .models import AuditEntry
from .scope import in_programmes


def audit_entries_for_programme(*, programme, action="", object_type="", object_query=""):
    """The audit entries about the programme's objects, newest first.

    ``object_query`` matches the object's number exactly or its name in part (an
    application's reference number, a call's title).
    """
    entries = AuditEntry.objects.filter(
        in_programmes([programme.pk], type_field="object_type", id_field="object_id")
    ).select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_query:
        if object_query.isdigit():
            entries = entries.filter(object_id=object_query)
        else:
            entries = entries.filter(object_repr__icontains=object_query)
    return entries


def audit_actions_for_programme(*, programme) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            in_programmes([programme.pk], type_field="object_type", id_field="object_id"))
        .order_by("action").values_list("action", flat=True).distinct()
    )
