"""The budget rows of the permission matrix, each mapped to one request (merged into
``kohorte/core/tests/test_permission_matrix.py``). A request makes what it needs through
``budget(w)``: a 2026 period with a plan and a booking entered by the second coordinator
(so that the coordinator may approve it: four eyes)."""

from datetime import date

from django.urls import reverse

from .world import book, make_period, receipt


def budget(w):
    if not hasattr(w, "budget_period"):
        w.budget_period = make_period(w.programme, w.coordinator2)
        w.budget_booking = book(w.budget_period, w.coordinator2, receipt=receipt())
    return w.budget_period


def _booking(w):
    budget(w)
    return w.budget_booking


def _url(name, *args):
    return reverse(f"budget:{name}", args=args)


REQUESTS = {
    ("budget", "view"): lambda c, w: c.get(_url("overview", budget(w).pk)),
    ("budget_plan", "edit"): lambda c, w: c.get(_url("plan_edit", budget(w).pk)),
    ("booking", "enter"): lambda c, w: c.post(_url("booking_create", budget(w).pk), {
        "booking_date": date(2026, 4, 1).isoformat(), "payee": "Tagungshaus Fulda",
        "purpose": "Raummiete Modul 2", "amount": "1.234,56", "line_key": "rooms"}),
    ("booking", "approve"): lambda c, w: c.post(_url("booking_approve", _booking(w).pk)),
    ("booking", "import"): lambda c, w: c.get(_url("import_upload", budget(w).pk)),
    ("receipt", "download"): lambda c, w: c.get(_url("receipt_download", _booking(w).pk)),
}
