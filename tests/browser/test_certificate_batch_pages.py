"""The bulk issue of certificates in the browser, with axe on its pages.

Seeded: a finished cohort of three whose completion is confirmed (everyone attended every
session), with logos and two signatories. The coordinator starts the bulk issue from the
cohort's certificates page by keyboard; the batch page shows it queued. The worker's job
runs (here, in the test); reloaded, the page shows it done with the ZIP link, and the
ZIP holds one PDF per person.
"""

import io
import zipfile

import pytest
from django.utils import timezone

from kohorte.core.tests import factories as f
from kohorte.courses.models import Certificate, CertificateBatch
from kohorte.courses.services.certificates import certificate_batches_run
from kohorte.courses.tests.matrix_certificates import attend_all, dress
from kohorte.courses.tests.world import make_cohort

from .axe import assert_no_violations
from .flows import sign_in_staff, t
from .keyboard import follow

pytestmark = pytest.mark.browser


@pytest.fixture
def finished_cohort(open_call):
    call = open_call
    coordinator = f.make_staff("coordinator", call.programme, email="koordination@example.org",
                               name="Kim Koordination")
    cohort = make_cohort(call, others=3, actor=coordinator)
    attend_all(cohort, now=timezone.now())
    dress(cohort)
    assert cohort.participants.filter(completion_confirmed_at__isnull=False).count() == 3
    return {"cohort": cohort, "coordinator": coordinator}


def test_bulk_issue_started_in_the_browser_ends_with_a_zip_of_one_pdf_per_person(
        page, base_url, finished_cohort):
    cohort = finished_cohort["cohort"]

    def check(label):
        assert_no_violations(page, base_url, label=label)

    sign_in_staff(page, finished_cohort["coordinator"])
    page.goto(f"/verwaltung/kurse/{cohort.pk}/zertifikate/")
    assert page.locator('[data-count="eligible"]').inner_text().strip() == "3"
    check("certificates of the cohort, none issued")

    start = page.locator(f'form[action$="/verwaltung/kurse/{cohort.pk}/zertifikate/'
                         'alle-ausstellen/"] button[type="submit"]')
    assert "3" in start.inner_text()
    follow(page, start)
    batch = CertificateBatch.objects.get(cohort=cohort)
    assert batch.state == CertificateBatch.State.QUEUED and batch.total == 3
    assert page.url.endswith(f"/verwaltung/kurse/{cohort.pk}/zertifikate/stapel/{batch.pk}/")
    assert t("The certificates are being issued. This page shows the progress.") in (
        page.get_by_role("status").first.inner_text())
    assert page.get_by_role("link", name=t("Refresh the progress")).count() == 1
    check("batch, queued")

    # The worker's job, as the scheduler would run it.
    assert certificate_batches_run(workers=1) == "1 certificate batches, 3 certificates"
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.DONE and (batch.done, batch.total) == (3, 3)

    page.reload()
    progress = page.locator("progress#zertifikate-fortschritt")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("3", "3")
    assert t("%(done)s of %(total)s certificates made.") % {"done": 3, "total": 3} in (
        page.locator("main").inner_text())
    zip_link = page.get_by_role("link", name=t("Download all valid certificates as ZIP"))
    assert zip_link.count() == 1
    assert page.get_by_role("link", name=t("Refresh the progress")).count() == 0
    check("batch, done")

    response = page.request.get(zip_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    assert archive.testzip() is None
    names = sorted(archive.namelist())
    people = cohort.participants.all()
    assert len(names) == people.count() == 3, names
    assert all(name.endswith(".pdf") and archive.read(name).startswith(b"%PDF-")
               for name in names)
    # One per person: each file is the stored PDF of one person's valid certificate.
    certificates = Certificate.objects.filter(participant__cohort=cohort, revoked_at=None)
    assert sorted(c.participant_id for c in certificates) == sorted(p.pk for p in people)
    stored = set()
    for certificate in certificates:
        with certificate.pdf.open("rb") as pdf:
            stored.add(pdf.read())
    assert {archive.read(name) for name in names} == stored

    page.goto(f"/verwaltung/kurse/{cohort.pk}/zertifikate/")
    assert page.locator('[data-count="valid"]').inner_text().strip() == "3"
    assert page.locator('[data-count="eligible"]').inner_text().strip() == "0"
    check("certificates of the cohort, all issued")
