"""What Kohorte holds about a person (Art. 15 GDPR), as plain data.

The applications are this app's own; later stages add theirs through the functions in
``settings.KOHORTE_PERSONAL_DATA_HOOKS`` (applications knows nothing of them). Each is
called with the user and returns None or ``{"key", "template", "data"}``: ``data``
goes into the export under ``key``, ``template`` renders it on the page "Your data".
"""

from django.conf import settings
from django.utils.module_loading import import_string

from kohorte.core.models import AuditEntry

from .models import Application


def _application(a: Application) -> dict:
    return {
        "call": a.call.title,
        "reference": a.reference,
        "state": a.get_state_display(),
        "created_at": a.created_at,
        "submitted_at": a.submitted_at,
        "withdrawn_at": a.withdrawn_at,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "email": a.email,
        "phone": a.phone,
        "organisation": a.organisation_name,
        "site": a.site_name,
        "region": str(a.region) if a.region_id else "",
        "job_title": a.job_title,
        "weekly_hours": str(a.weekly_hours) if a.weekly_hours is not None else None,
        "employment": a.get_employment_kind_display() if a.employment_kind else "",
        "employed_since": a.employed_since,
        "qualification": a.get_qualification_display() if a.qualification else "",
        "qualification_detail": a.qualification_detail,
        "motivation": a.motivation,
        "commits_to_all_modules": a.commits_to_all_modules,
        "release_later": a.release_later,
        "accessibility_needs": a.accessibility_needs,
        "accessibility_consent_at": a.accessibility_consent_at,
        "privacy_acknowledged_at": a.privacy_acknowledged_at,
        "documents": [
            {"name": d.original_name, "type": d.content_type, "size": d.size,
             "uploaded_at": d.uploaded_at} for d in a.documents.all()
        ],
        "eligibility": (
            {"tier": a.eligibility.get_tier_display(),
             "reasons": [r["message"] for r in a.eligibility.reasons]}
            if hasattr(a, "eligibility") else None
        ),
    }


def further_parts(*, user) -> list[dict]:
    """The later stages' parts of the person's data, in the order of the setting."""
    parts = (import_string(path)(user=user) for path in settings.KOHORTE_PERSONAL_DATA_HOOKS)
    return [part for part in parts if part]


def application_data_export(*, user, parts: list[dict] | None = None) -> dict:
    """Everything about the person as one dict (the JSON download). ``parts``: the
    later stages' parts if the caller has them already (``further_parts``)."""
    applications = (Application.objects.filter(applicant=user)
                    .select_related("call", "organisation", "site", "region", "eligibility")
                    .prefetch_related("documents"))
    history = AuditEntry.objects.filter(
        object_type="applications.application",
        object_id__in=[str(a.pk) for a in applications],
    ).order_by("created_at")
    export = {
        "account": {"email": user.email, "joined": user.date_joined},
        "applications": [_application(a) for a in applications],
        "history": [
            {"time": e.created_at, "action": e.action, "by": e.actor_label}
            for e in history
        ],
    }
    for part in further_parts(user=user) if parts is None else parts:
        export[part["key"]] = part["data"]
    return export
