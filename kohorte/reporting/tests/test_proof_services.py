"""Creating, editing and submitting a proof of use; the snapshot, its hash and that a
submitted proof never changes."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from kohorte.budget import rules
from kohorte.budget.tests.world import book, make_period
from kohorte.core.models import AuditEntry

from .. import proof as documents
from .. import services
from ..models import ProofOfUse, SubmittedProofError
from .world import draft, money_world


@pytest.fixture
def w(personas):
    return money_world(personas)


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the refusals in the source language."""
    with translation.override("en"):
        yield


def _actions(proof):
    return list(AuditEntry.objects.filter(object_type="reporting.proofofuse",
                                          object_id=str(proof.pk))
                .order_by("pk").values_list("action", flat=True))


def test_a_final_proof_is_due_six_months_after_the_period_and_is_audited(w):
    proof = services.proof_of_use_create(period=w.period, kind="final", actor=w.coordinator)
    assert proof.state == ProofOfUse.State.DRAFT
    assert proof.due_on == date(2027, 6, 30)
    assert proof.template_key == "grant"
    assert set(proof.texts) == {"goals", "activities", "cooperation", "problems", "outlook"}
    assert _actions(proof) == ["proof_of_use.create"]


def test_a_second_final_proof_of_the_same_period_is_refused(w):
    draft(w)
    with pytest.raises(ValidationError, match="already exists"):
        services.proof_of_use_create(period=w.period, kind="final", actor=w.coordinator)


def test_an_interim_report_needs_a_multi_year_period_and_a_year_before_the_last(personas):
    p = personas
    single = make_period(p.programme, p.coordinator, title="2024", start=date(2024, 1, 1),
                         end=date(2024, 12, 31))
    with pytest.raises(ValidationError) as error:
        services.proof_of_use_create(period=single, kind="interim", year=2024, actor=p.coordinator)
    assert "kind" in error.value.error_dict
    multi = make_period(p.programme, p.coordinator, title="2025/26", start=date(2025, 7, 1),
                        end=date(2026, 12, 31))
    with pytest.raises(ValidationError) as error:
        services.proof_of_use_create(period=multi, kind="interim", year=2026, actor=p.coordinator)
    assert "year" in error.value.error_dict
    interim = services.proof_of_use_create(period=multi, kind="interim", year=2025,
                                           actor=p.coordinator)
    assert interim.due_on == date(2026, 4, 30)
    assert ProofOfUse.objects.count() == 1


def test_an_interim_report_covers_its_year_and_counts_the_plan_cumulatively(personas):
    p = personas
    period = make_period(p.programme, p.coordinator2, title="2025/26", start=date(2025, 7, 1),
                         end=date(2026, 12, 31))
    book(period, p.coordinator2, amount="100.00", day=date(2025, 9, 1), approver=p.coordinator)
    book(period, p.coordinator2, amount="50.00", day=date(2026, 2, 1), approver=p.coordinator)
    proof = services.proof_of_use_create(period=period, kind="interim", year=2025,
                                         actor=p.coordinator)
    snapshot = documents.proof_snapshot(proof=proof)
    assert snapshot["proof"]["covers_start"] == "2025-07-01"
    assert snapshot["proof"]["covers_end"] == "2025-12-31"
    assert snapshot["receipts"]["expense_total"] == "100.00"
    fees = next(r for r in snapshot["financial"]["expense"] if r["key"] == "fees")
    assert (fees["year"], fees["actual"]) == ("100.00", "100.00")


def test_the_texts_are_saved_and_audited_and_bad_input_changes_nothing(w):
    proof = draft(w, texts=None)
    proof = services.proof_of_use_update_texts(proof=proof, texts={"goals": "  Ziele \r\n"},
                                               actor=w.coordinator)
    assert proof.texts["goals"] == "Ziele"
    assert _actions(proof) == ["proof_of_use.create", "proof_of_use.edit"]
    with pytest.raises(ValidationError, match="Unknown section"):
        services.proof_of_use_update_texts(proof=proof, texts={"nope": "x"}, actor=w.coordinator)
    with pytest.raises(ValidationError) as error:
        services.proof_of_use_update_texts(proof=proof, texts={"goals": "a\x00b"},
                                           actor=w.coordinator)
    assert "goals" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.proof_of_use_update_texts(proof=proof, texts={"goals": "x" * 20001},
                                           actor=w.coordinator)
    proof.refresh_from_db()
    assert proof.texts["goals"] == "Ziele"


def test_it_refuses_to_submit_without_the_required_texts(w):
    proof = draft(w, texts=None)
    with pytest.raises(ValidationError) as error:
        services.proof_of_use_submit(proof=proof, actor=w.coordinator)
    assert len(error.value.messages) == 2
    proof.refresh_from_db()
    assert proof.state == ProofOfUse.State.DRAFT and proof.snapshot is None


def test_it_refuses_to_submit_while_bookings_await_approval(w):
    book(w.period, w.coordinator2, amount="10.00", day=date(2026, 6, 1))
    proof = draft(w)
    with pytest.raises(ValidationError, match="await"):
        services.proof_of_use_submit(proof=proof, actor=w.coordinator)


def test_the_financial_statement_compares_plan_and_actual_per_line(w):
    snapshot = documents.proof_snapshot(proof=draft(w))
    f = snapshot["financial"]
    assert f["version"]["number"] == 1
    rows = {r["key"]: r for r in f["expense"]}
    assert rows["fees"]["actual"] == "2520.50"
    assert rows["fees"]["difference"] == "-2479.50"
    assert rows["fees"]["difference_percent"] == "-49.6"
    assert rows["travel"]["actual"] == "2450.10"
    assert rows["travel"]["difference_percent"] == "22.5"
    # Over by more than 20 %: the funder's consent is needed.
    assert rows["travel"]["state"] == rules.LineState.NEEDS_CONSENT
    assert rows["rooms"]["state"] == rules.LineState.WITHIN
    assert f["expense_total"]["actual"] == str(w.expense_total)
    assert f["income_total"]["actual"] == "10000.00"
    assert f["balance"] == str(w.income_total - w.expense_total)


def test_the_list_of_payments_has_every_approved_booking_and_marks_the_reversal(w):
    receipts = documents.proof_snapshot(proof=draft(w))["receipts"]
    assert receipts["count"] == 7
    assert Decimal(receipts["expense_total"]) == w.expense_total
    assert Decimal(receipts["income_total"]) == w.income_total
    reversal = next(e for e in receipts["entries"] if e["reverses"])
    original = next(e for e in receipts["entries"] if e["reversed_by"])
    assert reversal["amount"] == "-300.00"
    assert reversal["reverses"]["number"] == original["number"]
    assert original["reversed_by"] == reversal["number"]
    assert [e["date"] for e in receipts["entries"]] == sorted(e["date"] for e in receipts["entries"])


def test_submitting_freezes_and_hashes_the_proof(w):
    proof = services.proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    proof.refresh_from_db()
    assert proof.state == ProofOfUse.State.SUBMITTED
    assert proof.submitted_by == w.coordinator
    assert proof.snapshot_sha256 == documents.sha256_hex(documents.canonical_json(proof.snapshot))
    assert documents.verify(proof) == {"snapshot": True, "pdf": True, "xlsx": True}
    assert _actions(proof)[-1] == "proof_of_use.submit"
    entry = AuditEntry.objects.filter(action="proof_of_use.submit").get()
    assert entry.data["snapshot_sha256"] == proof.snapshot_sha256


def test_after_submission_nothing_changes(w):
    proof = services.proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    frozen, digest = proof.snapshot, proof.snapshot_sha256
    # New money and new texts do not reach it.
    book(w.period, w.coordinator2, amount="999.00", day=date(2026, 7, 1), approver=w.coordinator)
    with pytest.raises(ValidationError, match="submitted"):
        services.proof_of_use_update_texts(proof=proof, texts={"goals": "Neu"}, actor=w.coordinator)
    with pytest.raises(ValidationError, match="submitted"):
        services.proof_of_use_submit(proof=proof, actor=w.coordinator)
    proof.refresh_from_db()
    proof.texts = {"goals": "Heimlich"}
    with pytest.raises(SubmittedProofError):
        proof.save()
    with pytest.raises(SubmittedProofError):
        proof.delete()
    proof.refresh_from_db()
    assert proof.snapshot == frozen and proof.snapshot_sha256 == digest
    assert documents.verify(proof)["snapshot"]


def test_a_changed_snapshot_no_longer_matches_its_hash(w):
    proof = services.proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    tampered = dict(proof.snapshot, texts=[])
    assert documents.snapshot_hash(tampered) != proof.snapshot_sha256


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_is_tagged_german_titled_and_its_totals_equal_the_bookings(w):
    proof = services.proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    with proof.pdf.open("rb") as handle:
        content = handle.read()
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == services.proof_title(proof)
    text = _pdf_text(content).replace("\u00a0", " ")
    assert rules.format_eur(w.expense_total).replace("\u00a0", " ") in text  # 6.461,15 €
    assert rules.format_eur(w.income_total).replace("\u00a0", " ") in text
    for booking in w.bookings:
        assert booking.payee in text
    assert proof.snapshot_sha256 in text.replace(" ", "")


def test_the_spreadsheet_reads_back_to_the_bookings(w):
    proof = services.proof_of_use_submit(proof=draft(w), actor=w.coordinator)
    with proof.xlsx.open("rb") as handle:
        book_ = load_workbook(io.BytesIO(handle.read()))
    assert len(book_.sheetnames) == 3
    receipts = book_.worksheets[2]
    rows = list(receipts.iter_rows(min_row=2, values_only=True))
    entries = [r for r in rows if isinstance(r[0], int)]
    assert len(entries) == 7
    amounts = [Decimal(str(r[5])).quantize(rules.CENT) for r in entries]
    assert sum(amounts) == w.expense_total + w.income_total
    totals = {r[4]: Decimal(str(r[5])).quantize(rules.CENT) for r in rows if r[0] is None}
    assert sorted(totals.values()) == sorted([w.expense_total, w.income_total])
    assert receipts.cell(row=2, column=6).number_format.startswith("#,##0.00")
    financial = book_.worksheets[1]
    values = [row for row in financial.iter_rows(values_only=True) if row and row[0]]
    with translation.override("de"):
        total_label = gettext("Total")
    expense_total = [r for r in values if r[0] == total_label][-1]
    assert Decimal(str(expense_total[2])).quantize(rules.CENT) == w.expense_total


def test_a_commission_reports_services_and_costs_without_a_plan_comparison(personas):
    p = personas
    period = make_period(p.programme, p.coordinator2, kind="commission")
    book(period, p.coordinator2, amount="120.00", approver=p.coordinator)
    proof = services.proof_of_use_create(period=period, kind="final", actor=p.coordinator)
    assert proof.template_key == "commission"
    assert set(proof.texts) == {"services", "deviations"}
    snapshot = documents.proof_snapshot(proof=proof)
    assert snapshot["template"]["parts"] == ["report", "invoice", "receipts"]
    from ..proof_xlsx import proof_xlsx

    book_ = load_workbook(io.BytesIO(proof_xlsx(snapshot, title="X")))
    assert book_.sheetnames[0] == "Leistungsnachweis"
    assert len(book_.sheetnames) == 3
    costs = list(book_.worksheets[1].iter_rows(values_only=True))
    assert Decimal(str(costs[-1][1])).quantize(rules.CENT) == Decimal("120.00")
