"""The reporting rows of the permission matrix (proof of use, funder dashboard), each
mapped to one request; merged into ``kohorte/core/tests/test_permission_matrix.py``.
A request makes what it needs through ``proof(w)``: a 2025 period with a plan, one
approved booking and a draft final proof with its required texts."""

from datetime import date

from django.urls import reverse


def proof(w):
    if not hasattr(w, "reporting_proof"):
        from kohorte.budget.tests.world import book, make_period

        from .world import draft

        period = make_period(w.programme, w.coordinator2, title="2025", start=date(2025, 1, 1),
                             end=date(2025, 12, 31))
        book(period, w.coordinator2, day=date(2025, 3, 2), approver=w.coordinator)
        w.reporting_proof = draft(type("W", (), {"period": period,
                                                 "coordinator": w.coordinator})())
    return w.reporting_proof


def _url(name, *args):
    return reverse(f"backoffice:{name}", args=args)


REQUESTS = {
    ("proof_of_use", "edit"): lambda c, w: c.get(_url("proof_texts", proof(w).pk)),
    ("proof_of_use", "submit"): lambda c, w: c.post(_url("proof_submit", proof(w).pk),
                                                    {"confirm": "on"}),
    ("proof_of_use", "view"): lambda c, w: c.get(_url("proof_detail", proof(w).pk)),
    ("funder_dashboard", "view"): lambda c, w: c.get(_url("funder_dashboard", w.programme.slug)),
}
