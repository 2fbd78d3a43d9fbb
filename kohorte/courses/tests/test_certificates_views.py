"""The certificate pages: the coordinators' cohort page, the batch's progress and ZIP,
revoking, the participant's download and the public check."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from kohorte.core.tests import factories as f
from kohorte.courses.models import Certificate, CertificateBatch, CertificateSignatory
from kohorte.courses.services import certificates as services

from .matrix_certificates import attend_all, dress, signature_png
from .world import course_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    w = course_world(personas, others=2)
    attend_all(w.cohort)
    dress(w.cohort)
    w.participant.refresh_from_db()
    return w


def url(name, *args):
    return reverse(f"courses:{name}", args=args)


def test_the_cohort_page_lists_who_is_waiting_for_a_certificate(client, w):
    f.login_staff(client, w.coordinator)
    response = client.get(url("cohort_certificates", w.cohort.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert w.participant.full_name in page
    assert 'data-count="eligible">3<' in page
    assert "Prof. Dr. Anna Beispiel" in page


def test_a_lecturer_may_not_open_the_certificate_page(client, w):
    f.login_staff(client, w.lecturer)
    assert client.get(url("cohort_certificates", w.cohort.pk)).status_code == 403


def test_the_coordinator_of_another_programme_cannot_issue(client, w):
    f.login_staff(client, w.outsider)
    response = client.post(url("certificate_issue", w.cohort.pk, w.participant.pk))
    assert response.status_code == 403
    assert not Certificate.objects.exists()


def test_issuing_one_certificate_from_the_page(client, w):
    f.login_staff(client, w.coordinator)
    response = client.post(url("certificate_issue", w.cohort.pk, w.participant.pk))
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.participant == w.participant
    response = client.get(url("certificate_download", w.cohort.pk, certificate.pk))
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert w.participant.full_name in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_issuing_someone_unconfirmed_is_refused_with_a_message(client, w):
    w.cohort.participants.update(completion_confirmed_at=None)
    f.login_staff(client, w.coordinator)
    response = client.post(url("certificate_issue", w.cohort.pk, w.participant.pk))
    assert response.status_code == 409
    assert not Certificate.objects.exists()


def test_a_participant_of_another_cohort_is_not_found_here(client, w):
    f.login_staff(client, w.coordinator)
    response = client.post(url("certificate_issue", w.cohort.pk, w.other_participant.pk))
    assert response.status_code == 404


def test_the_settings_are_saved(client, w):
    f.login_staff(client, w.coordinator)
    response = client.post(url("certificate_settings", w.cohort.pk),
                           {"place": "Wiesbaden", "text": "Acht Bausteine."})
    assert response.status_code == 302
    w.cohort.refresh_from_db()
    assert (w.cohort.certificate_place, w.cohort.certificate_text) == ("Wiesbaden",
                                                                         "Acht Bausteine.")


def test_a_signature_that_is_not_an_image_is_refused_with_an_error_on_the_field(client, w):
    f.login_staff(client, w.coordinator)
    before = CertificateSignatory.objects.count()
    response = client.post(url("certificate_signatory_add", w.cohort.pk), {
        "institution": w.programme.lead_institution.pk, "name": "Dr. X", "function": "",
        "signature": SimpleUploadedFile("sig.png", b"MZ\x90\x00 not an image")})
    assert response.status_code == 400
    assert 'href="#id_signature"' in response.content.decode()
    assert CertificateSignatory.objects.count() == before


def test_a_signatory_with_a_png_signature_is_added_and_removed(client, w):
    f.login_staff(client, w.coordinator)
    response = client.post(url("certificate_signatory_add", w.cohort.pk), {
        "institution": w.programme.lead_institution.pk, "name": "Dr. Carla Neu",
        "function": "Vizepräsidentin",
        "signature": SimpleUploadedFile("sig.png", signature_png(), content_type="image/png")})
    assert response.status_code == 302
    signatory = CertificateSignatory.objects.get(name="Dr. Carla Neu")
    assert signatory.signature
    response = client.post(url("certificate_signatory_remove", w.cohort.pk, signatory.pk))
    assert response.status_code == 302
    assert not CertificateSignatory.objects.filter(pk=signatory.pk).exists()


def test_issuing_all_shows_the_progress_and_then_offers_the_zip(client, w):
    f.login_staff(client, w.coordinator)
    response = client.post(url("certificate_batch_start", w.cohort.pk))
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response.url == url("certificate_batch", w.cohort.pk, batch.pk)
    page = client.get(response.url).content.decode()
    assert "<progress" in page and 'value="0"' in page and 'max="3"' in page
    assert 'hx-trigger="every 2s"' in page
    # The progress in words too, not only as a bar ("0 of 3" / "0 von 3").
    assert re.search(r"</progress>\s*<p[^>]*>0 \w+ 3 ", page)
    fragment = client.get(response.url, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="zertifikate-stapel"')

    services.certificate_batches_run(workers=1)
    fragment = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger' not in fragment  # finished: the polling stops
    assert 'value="3"' in fragment
    zip_url = url("certificate_batch_zip", w.cohort.pk, batch.pk)
    assert zip_url in fragment
    download = client.get(zip_url)
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert len(archive.namelist()) == 3


def test_the_zip_of_an_unfinished_batch_is_not_found(client, w):
    f.login_staff(client, w.coordinator)
    batch = services.certificate_batch_start(cohort=w.cohort, actor=w.coordinator)
    assert client.get(url("certificate_batch_zip", w.cohort.pk, batch.pk)).status_code == 404


def test_revoking_needs_a_reason_and_then_the_participant_cannot_download_it(client, w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    f.login_staff(client, w.coordinator)
    revoke = url("certificate_revoke", w.cohort.pk, certificate.pk)
    assert client.get(revoke).status_code == 200
    response = client.post(revoke, {"reason": ""})
    assert response.status_code == 400 and 'href="#id_reason"' in response.content.decode()
    assert client.post(revoke, {"reason": "Falscher Name"}).status_code == 302
    certificate.refresh_from_db()
    assert not certificate.is_valid
    client.logout()
    client.force_login(w.applicant)
    assert client.get(url("participant_certificate_pdf", w.participant.pk)).status_code == 404


def test_the_participant_downloads_their_own_certificate_only(client, w):
    services.certificate_issue(participant=w.participant, actor=w.coordinator)
    client.force_login(w.applicant)
    page = client.get(url("participant_certificate", w.participant.pk))
    assert page.status_code == 200
    assert url("participant_certificate_pdf", w.participant.pk) in page.content.decode()
    response = client.get(url("participant_certificate_pdf", w.participant.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    other = w.cohort.participants.exclude(pk=w.participant.pk).first()
    services.certificate_issue(participant=other, actor=w.coordinator)
    assert client.get(url("participant_certificate_pdf", other.pk)).status_code == 404
    assert client.get(url("participant_certificate", other.pk)).status_code == 404


def test_a_visitor_must_sign_in_to_download_a_certificate(client, w):
    services.certificate_issue(participant=w.participant, actor=w.coordinator)
    response = client.get(url("participant_certificate_pdf", w.participant.pk))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_the_participant_page_section_says_what_happens_before_the_certificate(client, w):
    client.force_login(w.applicant)
    page = client.get(url("participant_certificate", w.participant.pk)).content.decode()
    assert url("participant_certificate_pdf", w.participant.pk) not in page
    assert 'id="zertifikat"' in page


# --- The public check -----------------------------------------------------------------

def test_a_valid_code_shows_name_programme_and_date_and_nothing_else(client, w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    response = client.get(url("certificate_public", certificate.code))
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.holder_name in page and certificate.programme_title in page
    assert w.participant.email not in page
    # No hours and no attendance (the words, since factory numbers may contain any digits).
    assert "Stunden" not in page and "Anwesenheit" not in page and "Baustein" not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_a_typed_code_is_found_in_lower_case_with_spaces_and_dashes(client, w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    typed = " ".join(certificate.code[i:i + 4] for i in range(0, 20, 4)).lower().replace(" ", " - ", 1)
    response = client.get(url("certificate_check"), {"code": typed})
    assert response.status_code == 200
    assert certificate.holder_name in response.content.decode()


def test_a_revoked_certificate_shows_as_revoked_with_its_date_but_not_the_reason(client, w):
    certificate = services.certificate_issue(participant=w.participant, actor=w.coordinator)
    services.certificate_revoke(certificate=certificate, reason="Geheimer Grund",
                                actor=w.coordinator)
    page = client.get(url("certificate_public", certificate.code)).content.decode()
    assert 'kern-alert--danger' in page and "Geheimer Grund" not in page
    certificate.refresh_from_db()
    assert f"{certificate.revoked_at:%Y}" in page


def test_an_unknown_code_gets_a_clear_message(client, w):
    response = client.get(url("certificate_check"), {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    assert response.status_code == 404
    assert "kern-alert--warning" in response.content.decode()


def test_an_empty_code_is_an_error_on_the_field(client, w):
    response = client.get(url("certificate_check"), {"code": " - "})
    assert response.status_code == 400
    assert 'href="#id_code"' in response.content.decode()


def test_the_form_without_a_code_counts_nothing(client, w, settings):
    settings.KOHORTE_CERTIFICATE_CHECKS = 1
    for _ in range(3):
        assert client.get(url("certificate_check")).status_code == 200


def test_too_many_lookups_from_one_address_get_a_429_page(client, w, settings):
    settings.KOHORTE_CERTIFICATE_CHECKS = 2
    for _ in range(2):
        assert client.get(url("certificate_public", "UNKNOWNCODE")).status_code == 404
    response = client.get(url("certificate_check"), {"code": "UNKNOWNCODE"})
    assert response.status_code == 429
    assert 'role="alert"' in response.content.decode()
    other = client.get(url("certificate_public", "UNKNOWNCODE"), REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 404
