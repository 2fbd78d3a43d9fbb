"""What a proof of use shows, as one plain-JSON snapshot, and its hash.

``proof_snapshot`` gathers everything the document shows: the texts, the figures of the
range (``figures.py``), the zahlenmäßiger Nachweis (income and expenditure structured
like the plan version it rests on, plan vs. actual, deviations, overrun states) and the
Belegliste (every approved booking of the range, reversals marked). The page, the PDF
and the XLSX are all rendered from this snapshot: a draft from a fresh one, a submitted
proof from the frozen one. Amounts are decimal strings ("1234.56"), never floats.

The proof goes to the funder, so its counts by tier and Regierungsbezirk are protected
(``figures.protect_applications``, the programme's ``min_cell``) for everyone who reads
it, the coordinators included: they see what they submit. Snapshots of format 1 (before
the protection) keep their exact counts: they are frozen.

The hash is SHA-256 over the canonical JSON (keys sorted, no spaces, UTF-8): anyone can
recompute it from the stored snapshot.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from kohorte.budget import rules
from kohorte.budget import selectors as budget
from kohorte.budget.models import Booking, PlanLine

from .figures import figures_for_range
from .proof_templates import covered_range, proof_template

SNAPSHOT_FORMAT = 2
ZERO = Decimal("0.00")


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def snapshot_hash(snapshot: dict) -> str:
    return sha256_hex(canonical_json(snapshot))


def _amount(value) -> str:
    return str(Decimal(value or 0).quantize(rules.CENT))


def _percent(value) -> str | None:
    return None if value is None else str(value)


def _sums(queryset) -> dict[str, Decimal]:
    return {row["line_key"]: row["total"]
            for row in queryset.values("line_key").annotate(total=Sum("amount")).order_by()}


def financial_statement(*, period, start: date, end: date, interim: bool) -> dict:
    """Plan vs. actual per line of the current plan version, up to ``end`` (cumulative
    from the period's start; for an interim report also the year alone)."""
    version = budget.current_version(period=period)
    approved = Booking.objects.filter(period=period, state=Booking.State.APPROVED)
    cumulative = _sums(approved.filter(booking_date__lte=end))
    in_range = _sums(approved.filter(booking_date__gte=start, booking_date__lte=end))
    pending = Booking.objects.filter(period=period, state=Booking.State.PENDING,
                                     booking_date__gte=start, booking_date__lte=end)
    result = {
        "version": None, "interim": interim, "income": [], "expense": [], "unplanned": [],
        "pending": {"count": pending.count(),
                    "total": _amount(pending.aggregate(t=Sum("amount"))["t"])},
        "overrun_percent": str(period.overrun_percent),
    }
    if version is None:
        return result
    result["version"] = {"number": version.number, "reason": version.reason,
                         "saved_at": timezone.localtime(version.created_at).isoformat()}
    consents = budget.latest_consents(period=period)
    lines = list(version.lines.all())
    expense = [line for line in lines if line.kind == PlanLine.Kind.EXPENSE]
    assessment = rules.assess(
        [rules.Line(key=line.key, planned=line.amount, actual=cumulative.get(line.key, ZERO),
                    consented_up_to=consents[line.key].up_to_amount
                    if line.key in consents else None) for line in expense],
        overrun_percent=period.overrun_percent)
    verdicts = {verdict.key: verdict for verdict in assessment.verdicts}
    for line in lines:
        actual = cumulative.get(line.key, ZERO)
        difference = actual - line.amount
        row = {"key": line.key, "title": line.title, "planned": _amount(line.amount),
               "actual": _amount(actual), "year": _amount(in_range.get(line.key, ZERO)),
               "difference": _amount(difference),
               "difference_percent": _percent(rules.percent_of(difference, line.amount))}
        if line.kind == PlanLine.Kind.EXPENSE:
            row["state"] = str(verdicts[line.key].state)
            consent = consents.get(line.key)
            row["consent"] = ({"date": consent.consent_date.isoformat(),
                               "reference": consent.reference,
                               "up_to": _amount(consent.up_to_amount)} if consent else None)
            result["expense"].append(row)
        else:
            result["income"].append(row)
    keys = {line.key for line in lines}
    result["unplanned"] = [{"key": key, "actual": _amount(total)}
                           for key, total in sorted(cumulative.items()) if key not in keys]
    for kind in ("income", "expense"):
        rows = result[kind]
        planned = sum((Decimal(r["planned"]) for r in rows), ZERO)
        actual = sum((Decimal(r["actual"]) for r in rows), ZERO)
        result[f"{kind}_total"] = {
            "planned": _amount(planned), "actual": _amount(actual),
            "year": _amount(sum((Decimal(r["year"]) for r in rows), ZERO)),
            "difference": _amount(actual - planned),
            "difference_percent": _percent(rules.percent_of(actual - planned, planned))}
    result["offset"] = assessment.offset
    result["balance"] = _amount(Decimal(result["income_total"]["actual"])
                                - Decimal(result["expense_total"]["actual"]))
    return result


def receipt_list(*, period, start: date, end: date) -> dict:
    """Every approved booking from ``start`` to ``end``, numbered by date; a reversal
    names the booking it reverses (by its number here, or by its date if earlier)."""
    titles = budget.line_titles(period=period)
    kinds = dict(PlanLine.objects.filter(version__period=period)
                 .order_by("version__number").values_list("key", "kind"))
    bookings = list(Booking.objects.filter(period=period, state=Booking.State.APPROVED,
                                           booking_date__gte=start, booking_date__lte=end)
                    .select_related("reverses").order_by("booking_date", "pk"))
    numbers = {booking.pk: index for index, booking in enumerate(bookings, start=1)}
    reversed_by = {b.reverses_id: numbers[b.pk] for b in bookings if b.reverses_id}
    entries, totals = [], {"income": ZERO, "expense": ZERO}
    for booking in bookings:
        kind = kinds.get(booking.line_key, PlanLine.Kind.EXPENSE)
        totals[kind] += booking.amount
        original = booking.reverses
        entries.append({
            "number": numbers[booking.pk], "date": booking.booking_date.isoformat(),
            "payee": booking.payee, "purpose": booking.purpose,
            "amount": _amount(booking.amount), "line_key": booking.line_key,
            "line_title": titles.get(booking.line_key, booking.line_key), "kind": str(kind),
            "reference": booking.external_reference,
            "reverses": ({"number": numbers.get(original.pk),
                          "date": original.booking_date.isoformat(),
                          "purpose": original.purpose} if original else None),
            "reversed_by": reversed_by.get(booking.pk),
        })
    return {"entries": entries, "count": len(entries),
            "income_total": _amount(totals["income"]),
            "expense_total": _amount(totals["expense"])}


def proof_snapshot(*, proof, now=None) -> dict:
    """Everything the proof of use shows, as plain JSON."""
    now = now or timezone.now()
    period = proof.period
    programme = period.programme
    template = proof_template(proof.template_key)
    start, end = covered_range(period, proof.kind, proof.year)
    texts = [{"key": section.key, "title": section.title, "required": section.required,
              "text": (proof.texts or {}).get(section.key, "")}
             for section in template.sections]
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "generated_at": timezone.localtime(now).isoformat(),
        "programme": {"name": programme.name, "slug": programme.slug,
                      "funder": str(programme.funder) if programme.funder_id else "",
                      "institution": (str(programme.lead_institution)
                                      if programme.lead_institution_id else "")},
        "period": {"title": period.title, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "kind": period.kind},
        "proof": {"id": proof.pk, "kind": proof.kind, "year": proof.year,
                  "covers_start": start.isoformat(), "covers_end": end.isoformat(),
                  "due_on": proof.due_on.isoformat()},
        "template": template.as_data(),
        "texts": texts,
        "figures": None, "financial": None, "receipts": None,
    }
    if template.has("report") and template.report_figures:
        snapshot["figures"] = figures_for_range(programme=programme, start=start, end=end,
                                                now=now, min_cell=programme.min_cell)
    if template.has("financial") or template.has("invoice"):
        snapshot["financial"] = financial_statement(period=period, start=start, end=end,
                                                    interim=proof.kind == "interim")
    if template.has("receipts"):
        snapshot["receipts"] = receipt_list(period=period, start=start, end=end)
    return snapshot


def missing_sections(*, proof) -> list[str]:
    """The keys of required sections still without text."""
    template = proof_template(proof.template_key)
    return [s.key for s in template.sections
            if s.required and not (proof.texts or {}).get(s.key, "").strip()]


def verify(proof) -> dict:
    """Recompute the hashes of a submitted proof: {"snapshot": bool, "pdf": bool, "xlsx": bool}."""
    result = {"snapshot": snapshot_hash(proof.snapshot) == proof.snapshot_sha256}
    for name in ("pdf", "xlsx"):
        field = getattr(proof, name)
        if not field:
            result[name] = False
            continue
        with field.open("rb") as handle:
            result[name] = sha256_hex(handle.read()) == getattr(proof, f"{name}_sha256")
    return result


def document_context(snapshot: dict) -> dict:
    """What ``reporting/proof/_document.html`` needs beside the snapshot."""
    from kohorte.applications.models import Eligibility

    from .figures import FUNNEL

    return {"doc": snapshot, "funnel_stages": FUNNEL, "funnel_columns": ("places", *FUNNEL),
            "tiers": Eligibility.Tier.choices, "financial_kinds": ("income", "expense")}
