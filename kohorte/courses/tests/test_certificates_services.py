"""Issuing, revoking and bulk-issuing certificates, against the real database."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from kohorte.core.models import AuditEntry, RateCount
from kohorte.courses.models import Certificate, CertificateBatch, Participant
from kohorte.courses.services import certificates as services
from kohorte.courses.services.cohort import participant_leave
from kohorte.notifications.models import OutboxMail

from .matrix_certificates import LOGO_SVG, attend_all, dress, signature_png
from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    """A cohort whose eight modules lie in the past; everyone attended every session
    except the applicant, who missed the first half-day; all completions confirmed."""
    w = course_world(personas, others=3)
    w.sessions = attend_all(w.cohort, absent_for=w.participant)
    w.partner = dress(w.cohort)
    w.participant.refresh_from_db()
    return w


def text_of(certificate):
    with certificate.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()


def test_a_certificate_freezes_the_hours_attended_out_of_those_scheduled(w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    scheduled = sum(s.hours for s in w.sessions)
    attended = scheduled - w.sessions[0].hours
    assert certificate.total_hours == attended
    assert certificate.content["hours"] == {"attended": str(attended),
                                            "scheduled": str(scheduled)}
    assert certificate.holder_name == w.participant.full_name
    assert certificate.programme_title == w.cohort.title
    assert len(certificate.content["modules"]) == 8
    first = certificate.content["modules"][0]
    assert Decimal(first["hours"]) == Decimal("14")  # two days of two half-days of 3.5 h
    assert first["first"] == timezone.localdate(w.sessions[0].starts_at).isoformat()
    assert [i["name"] for i in certificate.content["institutions"]] == [
        w.programme.lead_institution.name, "Hochschule Partnerstadt"]
    assert [s["name"] for s in certificate.content["signatories"]] == [
        "Prof. Dr. Anna Beispiel", "Prof. Dr. Ben Muster"]
    assert certificate.content["place"] == "Fulda"


def test_the_issued_pdf_names_the_holder_the_hours_and_the_code(w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    text = text_of(certificate)
    assert w.participant.full_name in text
    assert "108,5 " in text and "112" in text  # 108.5 of 112 hours (one half-day missed)
    assert services.verify_url(certificate.code) in text
    assert "Hochschule Partnerstadt" in text


def test_issuing_is_audited_and_the_participant_gets_an_email_with_a_link_to_their_page(w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    entry = AuditEntry.objects.get(action="certificate.issue")
    assert entry.actor == w.coordinator and entry.object_id == str(certificate.pk)
    mail = OutboxMail.objects.get(template="course_certificate_issued")
    assert mail.to == w.participant.email
    assert f"/kurs/{w.participant.pk}/" in mail.body
    assert certificate.code not in mail.body


def test_a_certificate_needs_the_completion_to_be_confirmed(w):
    Participant.objects.filter(pk=w.participant.pk).update(completion_confirmed_at=None)
    w.participant.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(participant=w.participant, actor=w.coordinator)
    assert error.value.code == "not_completed"
    assert not Certificate.objects.exists()


def test_someone_who_left_gets_no_certificate(w):
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Stellenwechsel",
                      actor=w.coordinator)
    w.participant.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(participant=w.participant, actor=w.coordinator)
    assert error.value.code == "left"


def test_a_second_valid_certificate_is_refused(w):
    services.certificate_issue(participant=w.participant, actor=w.coordinator)
    with pytest.raises(ValidationError) as error:
        services.certificate_issue(participant=w.participant, actor=w.coordinator)
    assert error.value.code == "exists"
    assert Certificate.objects.count() == 1


def test_revoking_needs_a_reason_and_changes_nothing_without_one(w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, reason="  ", actor=w.coordinator)
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revoking_is_audited_and_mailed_and_a_reissue_gets_a_new_code(w):
    old = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    services.certificate_revoke(certificate=old, reason="Name falsch geschrieben",
                                actor=w.coordinator)
    old.refresh_from_db()
    assert not old.is_valid and old.revoked_by == w.coordinator
    entry = AuditEntry.objects.get(action="certificate.revoke")
    assert entry.reason == "Name falsch geschrieben"
    mail = OutboxMail.objects.get(template="course_certificate_revoked")
    assert mail.to == w.participant.email and "Name falsch geschrieben" in mail.body
    new = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    assert new.code != old.code and new.is_valid
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=old, reason="nochmal", actor=w.coordinator)


def test_a_signature_must_be_a_png_jpeg_or_svg_by_its_content(w):
    lead = w.programme.lead_institution
    fake = SimpleUploadedFile("unterschrift.png", b"%PDF-1.4 no image", content_type="image/png")
    with pytest.raises(ValidationError):
        services.signatory_add(cohort=w.cohort, institution=lead, name="X", function="",
                               signature=fake, actor=w.coordinator)
    svg = SimpleUploadedFile("u.svg", LOGO_SVG, content_type="image/svg+xml")
    signatory = services.signatory_add(cohort=w.cohort, institution=lead, name="Dr. C",
                                       function="", signature=svg, actor=w.coordinator)
    assert signatory.position == 3 and signatory.signature


def test_a_signatory_must_belong_to_one_of_the_programmes_institutions(w):
    from kohorte.programmes.models import Institution

    stranger = Institution.objects.create(name="Fremde Hochschule")
    png = SimpleUploadedFile("u.png", signature_png(), content_type="image/png")
    with pytest.raises(ValidationError):
        services.signatory_add(cohort=w.cohort, institution=stranger, name="X", function="",
                               signature=png, actor=w.coordinator)


# --- The batch ------------------------------------------------------------------------

def test_a_batch_needs_someone_waiting_and_runs_once_at_a_time(w):
    batch = services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    assert batch.total == 4 and batch.state == CertificateBatch.State.QUEUED
    with pytest.raises(ValidationError) as error:
        services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    assert error.value.code == "running"
    w.cohort.participants.update(completion_confirmed_at=None)
    CertificateBatch.objects.update(state=CertificateBatch.State.DONE)
    with pytest.raises(ValidationError) as error:
        services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    assert error.value.code == "empty"


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-worker-processes"])
def test_the_worker_issues_everyone_writes_a_zip_and_mails_each_person(w, workers):
    single = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    batch = services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    assert batch.total == 3
    result = services.certificate_batches_run(workers=workers)
    assert "1 certificate batches, 3 certificates" in result
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.DONE and batch.done == batch.total == 3
    assert Certificate.objects.filter(revoked_at__isnull=True).count() == 4
    mails = OutboxMail.objects.filter(template="course_certificate_issued")
    assert sorted(mails.values_list("to", flat=True)) == sorted(
        w.cohort.participants.values_list("email", flat=True))
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        assert len(names) == 4  # the one issued before is in it too
        texts = [PdfReader(io.BytesIO(archive.read(n))).pages[0].extract_text() for n in names]
    for participant in w.cohort.participants.all():
        assert any(participant.full_name in text for text in texts)
    assert any(single.code[:4] in text for text in texts)
    for certificate in Certificate.objects.all():
        assert certificate.pdf and certificate.holder_name in text_of(certificate)
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 4



def _stored_files():
    root = Path(default_storage.path(""))
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_a_batch_writes_each_row_audit_entry_and_mail_once_with_one_insert_each(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    batch = services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    with CaptureQueriesContext(connection) as queries:
        services.certificate_batches_run(workers=1)
    certificates = list(Certificate.objects.all())
    assert len(certificates) == 4 and all(c.pk and c.pdf for c in certificates)
    entries = AuditEntry.objects.filter(action="certificate.issue")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(
        str(c.pk) for c in certificates)
    assert all(e.data["batch"] == batch.pk and e.actor == w.coordinator for e in entries)
    mails = OutboxMail.objects.filter(template="course_certificate_issued")
    assert sorted(mails.values_list("idempotency_key", flat=True)) == sorted(
        f"course-certificate-issued-{c.pk}" for c in certificates)
    for certificate in certificates:
        mail = mails.get(about_id=str(certificate.pk))
        assert mail.to == certificate.participant.email
        assert f"/kurs/{certificate.participant_id}/" in mail.body
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    for table in ("courses_certificate", "notifications_outboxmail"):
        assert sum(f'INTO "{table}"' in sql for sql in inserts) == 1, table
    batch.refresh_from_db()
    assert batch.done == batch.total == 4


def test_someone_given_a_certificate_while_the_batch_ran_keeps_theirs_only(w, monkeypatch):
    services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    single = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    before = _stored_files()
    # As if the single issue came between the batch's check and its insert.
    monkeypatch.setattr(services, "eligible_participants",
                        lambda cohort: cohort.participants.order_by("pk"))
    services.certificate_batches_run(workers=1)
    batch = CertificateBatch.objects.get()
    assert batch.state == CertificateBatch.State.DONE and batch.done == batch.total == 4
    assert list(w.participant.certificates.all()) == [single]
    issued = Certificate.objects.exclude(pk=single.pk)
    assert issued.count() == 3
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 4
    assert OutboxMail.objects.filter(template="course_certificate_issued").count() == 4
    # No file of a certificate that was not written stays behind.
    assert _stored_files() - before == {c.pdf.name for c in issued} | {batch.zip_file.name}


def test_a_chunk_that_cannot_be_written_leaves_none_of_its_files(w, monkeypatch):
    services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    before = _stored_files()

    def broken(mails):
        raise RuntimeError("outbox gone")

    monkeypatch.setattr(services, "mail_enqueue_many", broken)
    services.certificate_batches_run(workers=1)
    assert CertificateBatch.objects.get().state == CertificateBatch.State.FAILED
    assert not Certificate.objects.exists()
    assert _stored_files() == before

def test_running_the_worker_again_does_nothing_more(w):
    services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    services.certificate_batches_run(workers=1)
    assert services.certificate_batches_run(workers=1) == "0 certificate batches, 0 certificates"
    assert Certificate.objects.count() == 4


def test_a_failed_batch_keeps_nothing_half_done_and_says_so(w, monkeypatch):
    services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer gone")

    monkeypatch.setattr(services, "certificate_pdf_cached", broken)
    services.certificate_batches_run(workers=1)
    batch = CertificateBatch.objects.get()
    assert batch.state == CertificateBatch.State.FAILED and "renderer gone" in batch.error
    assert not batch.zip_file
    # A new batch can be started and continues with whoever has no certificate.
    monkeypatch.undo()
    services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    services.certificate_batches_run(workers=1)
    assert Certificate.objects.count() == 4


def test_a_batch_interrupted_long_ago_is_marked_failed(w):
    batch = services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        state=CertificateBatch.State.RUNNING, started_at=timezone.now() - timedelta(hours=2))
    services.certificate_batches_run(workers=1)
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.FAILED


# --- The public check -----------------------------------------------------------------

def test_codes_are_found_whatever_the_case_spaces_and_dashes(w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    typed = " " + "-".join(certificate.code[i:i + 4] for i in range(0, 20, 4)).lower() + " "
    assert services.certificate_check(code=typed, client="192.0.2.1") == certificate
    assert services.certificate_check(code="ABCD", client="192.0.2.1") is None


def test_the_check_is_limited_per_client_address(w, settings):
    settings.KOHORTE_CERTIFICATE_CHECKS = 3
    now = timezone.now()
    for _ in range(3):
        services.certificate_check(code="X", client="192.0.2.7", now=now)
    with pytest.raises(services.RateLimited):
        services.certificate_check(code="X", client="192.0.2.7", now=now)
    services.certificate_check(code="X", client="192.0.2.8", now=now)
    services.certificate_check(code="X", client="192.0.2.7", now=now + timedelta(minutes=11))
    assert RateCount.objects.exists()
    assert not RateCount.objects.filter(key__contains="192.0.2").exists()  # hashed only
