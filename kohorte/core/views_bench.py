"""The floor probe of bench/intake.py, routed only when settings.KOHORTE_BENCH is true.

The cheapest write a signed-in applicant can cause: the same server, middleware,
session, CSRF check and transaction as the final submit, and one inserted row. The
submit's throughput is judged against this one's.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from .audit import audit_record


@login_required(login_url="accounts:login")
@require_POST
def floor(request):
    with transaction.atomic():
        audit_record(actor=request.user, action="bench.floor", obj=request.user)
    return HttpResponse(status=204)
