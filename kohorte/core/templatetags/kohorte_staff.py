from django import template

from kohorte.core.audit_labels import action_label

register = template.Library()


@register.filter
def audit_action(code):
    """The words for an audit action code (the code itself if none are known)."""
    return action_label(code)
