from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from kohorte.core.access import programmes_where, staff_required

from .models import OutboxMail


@staff_required
def outbox(request):
    """"Postausgang": the mails written and delivered (the embedded default sends none)."""
    if not programmes_where(request.user, "outbox", "view").exists():
        raise PermissionDenied
    page = Paginator(OutboxMail.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {"page": page})
