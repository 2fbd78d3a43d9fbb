from django.contrib import admin

from kohorte.core.admin import ReadOnlyAdmin

from .models import OutboxMail


@admin.register(OutboxMail)
class OutboxMailAdmin(ReadOnlyAdmin):
    """All mails, for the installation's operators; staff use the "Postausgang" page,
    which shows each programme's mails and can send failed ones again."""

    list_display = ["created_at", "to", "subject", "template", "state", "attempts"]
    list_filter = ["state", "template"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
