"""The report as PDF, read back with pypdf: method, sample, results (tables and chart)
and limitations, the same figures as the page, no names."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kohorte.core.tests import factories as f
from kohorte.evaluation.stats.paired import paired_summary

from .report_world import answered_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _de(text):
    with translation.override("de"):
        return translation.gettext(text)


@pytest.fixture
def w(personas):
    personas.cohort, personas.instrument, personas.pre, personas.post, _ = answered_cohort(
        f.make_call(personas.programme), people=7, programme=personas.programme)
    personas.cohort.participants.update(first_name="Zerlina", last_name="Quastwitz")
    return personas


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # pypdf may break lines inside a cell; compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_holds_method_sample_results_and_limitations_with_the_figures(client, w):
    f.login_staff(client, w.funder)
    response = client.get(reverse("evaluation:report_cohort_pdf", args=[w.cohort.pk]))
    assert response.status_code == 200
    text = _text(response)
    for heading in ("Method", "Sample", "Change per dimension", "Results per dimension and item",
                    "Limitations"):
        assert _de(heading) in text, heading
    for dimension in ("Sozialraumanalyse", "Moderation", "Konfliktbearbeitung"):
        assert dimension in text
    scale = paired_summary(w.pre[:, 12:16].mean(axis=1).astype(float),
                           w.post[:, 12:16].mean(axis=1).astype(float))
    for value in (scale["mean_pre"], scale["mean_post"], scale["dz"]):
        assert f"{value:.2f}".replace(".", ",") in text
    assert "Quastwitz" not in text and "Zerlina" not in text


def test_the_pooled_pdf_is_served_too(client, w):
    f.login_staff(client, w.evaluator)
    response = client.get(reverse("evaluation:report_pooled_pdf", args=[w.instrument.pk]))
    assert response.status_code == 200
    assert w.cohort.title in _text(response)


def test_the_pdf_is_refused_to_a_lecturer(client, w):
    f.login_staff(client, w.lecturer)
    assert client.get(reverse("evaluation:report_cohort_pdf",
                              args=[w.cohort.pk])).status_code == 403
