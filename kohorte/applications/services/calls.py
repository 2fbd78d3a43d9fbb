from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record

from ..models import Call


def _transition(call, target, *, actor, action):
    if target not in Call.TRANSITIONS[Call.State(call.state)]:
        raise ValidationError(_("A call in state “%(state)s” cannot become “%(target)s”.") % {
            "state": call.get_state_display(), "target": Call.State(target).label})
    old = call.state
    call.state = target
    call.save(update_fields=["state"])
    audit_record(actor=actor, action=action, obj=call, data={"from": old, "to": target})


@transaction.atomic
def call_publish(*, call: Call, actor) -> Call:
    """Publish a draft call: it needs its texts, module dates and a future deadline."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.modules.exists():
        raise ValidationError(_("Add the module dates before publishing the call."))
    if not (call.description and call.eligibility_criteria and call.selection_criteria
            and call.privacy_notice):
        raise ValidationError(_("Description, criteria and privacy notice are needed before publishing."))
    _transition(call, Call.State.PUBLISHED, actor=actor, action="call.publish")
    return call


@transaction.atomic
def call_close(*, call: Call, actor) -> Call:
    """Close a published call (after its deadline the submit is refused anyway)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    _transition(call, Call.State.CLOSED, actor=actor, action="call.close")
    return call
