"""Writing the audit log. Services call ``audit_record`` inside their transaction."""

from .models import AuditEntry
from .prepared import PreparedInsert


def _label(actor):
    if actor is None:
        return "system"
    return getattr(actor, "email", "") or str(actor)


def audit_entry(*, actor, action, obj, reason="", data=None) -> AuditEntry:
    """An entry not yet written: for ``audit_record_all``."""
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        reason=reason,
        data=data or {},
    )


def audit_record(*, actor, action, obj, reason="", data=None):
    """Record that ``actor`` did ``action`` to ``obj``; ``actor=None`` means the system."""
    entry = audit_entry(actor=actor, action=action, obj=obj, reason=reason, data=data)
    entry.save(force_insert=True)
    return entry


def audit_record_all(entries, *, batch=None):
    """Write several entries in one statement, in the order given (a submit writes two;
    its SQL is built once per process: core.prepared); with a ``batch``
    (``core.prepared.Batch``) when it runs."""
    return _INSERT.insert(entries, batch=batch)


_INSERT = PreparedInsert(AuditEntry)


def audit_entries_for(obj):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")
