"""Which rows of the generic tables (audit log, outbox) belong to a programme.

Audit entries and outbox mails name their object by type label and id, not by a
foreign key, so they carry no programme. This table says, for each object type, the
lookup from that object to its programme; the back-office pages that show such rows
per programme build their filter from it. A later stage whose objects should appear
there adds its line (e.g. ``"selection.offer": "application__call__programme"``).
"""

import operator
from functools import reduce

from django.apps import apps
from django.db.models import CharField, Q
from django.db.models.functions import Cast

# object type label -> lookup from that model to its programme ("pk": the programme)
PROGRAMME_PATHS = {
    "programmes.programme": "pk",
    "programmes.sitefunding": "programme",
    "accounts.role": "programme",
    "applications.call": "programme",
    "applications.application": "call__programme",
    "selection.reviewcriterion": "call__programme",
    "selection.selectionpolicy": "call__programme",
    "selection.conflictofinterest": "call__programme",
    "selection.reviewassignment": "application__call__programme",
}

# Rows that are about another object: type label -> (its type field, its id field).
INDIRECT = {
    "notifications.outboxmail": ("about_type", "about_id"),
}


def _ids_in(label: str, path: str, programmes):
    """The ids (as text, like the generic id columns) of ``label`` objects in scope."""
    model = apps.get_model(label)
    return (model.objects.filter(**{f"{path}__in": programmes})
            .annotate(_text_id=Cast("pk", output_field=CharField()))
            .values("_text_id"))


def in_programmes(programmes, *, type_field: str, id_field: str, indirect=True) -> Q:
    """A filter on a table with generic (type, id) columns, true for rows in scope.

    ``programmes`` is a queryset or list of programmes (or their ids).
    """
    parts = [
        Q(**{type_field: label, f"{id_field}__in": _ids_in(label, path, programmes)})
        for label, path in PROGRAMME_PATHS.items()
    ]
    if indirect:
        for label, (about_type, about_id) in INDIRECT.items():
            model = apps.get_model(label)
            inner = in_programmes(programmes, type_field=about_type, id_field=about_id,
                                  indirect=False)
            ids = (model.objects.filter(inner)
                   .annotate(_text_id=Cast("pk", output_field=CharField()))
                   .values("_text_id"))
            parts.append(Q(**{type_field: label, f"{id_field}__in": ids}))
    return reduce(operator.or_, parts)


def programme_of(label: str, object_id: str):
    """The programme an object named by type label and id belongs to, or None."""
    path = PROGRAMME_PATHS.get(label)
    if path is None:
        return None
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return None
    Programme = apps.get_model("programmes", "Programme")
    if path != "pk":
        pk = apps.get_model(label).objects.filter(pk=pk).values_list(
            f"{path}__pk", flat=True).first()
    return Programme.objects.filter(pk=pk).first() if pk is not None else None
