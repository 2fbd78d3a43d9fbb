"""The review export, read back with csv and openpyxl."""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.selection.exports import reviews_export

from .reviewing import assign, make_criteria, make_reviewer, review

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(personas):
    """Two applications: one with two submitted reviews (one N/A), one unreviewed."""
    s = personas
    make_criteria(s.call)
    s.reviewer2 = make_reviewer(s.programme, "reviewer2@example.org", name="Robin Zwei")
    s.first = f.make_application(s.call, submit=True,
                                 contact={"first_name": "=HYPERLINK(1)", "last_name": "Muster"})
    s.second = f.make_application(s.call, submit=True)
    review(assign(s.first, s.reviewer),
           {"Praxisbezug": 5, "Motivation": 4, "Transferpotenzial": None})
    review(assign(s.first, s.reviewer2),
           {"Praxisbezug": 2, "Motivation": 2, "Transferpotenzial": 3})
    assign(s.second, s.reviewer)
    return s


def _export(call, fmt, actor):
    with translation.override("en"):
        return reviews_export(call=call, fmt=fmt, actor=actor)


def test_the_csv_has_criterion_means_score_sd_and_count_per_application(scored):
    s = scored
    export = _export(s.call, "csv", s.coordinator)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    header, by_ref = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[6:9] == ["Praxisbezug (mean)", "Motivation (mean)", "Transferpotenzial (mean)"]
    assert header[9:14] == ["Score", "Standard deviation", "Reviews", "Spread", "Disagreement"]
    first = by_ref[s.first.reference]
    # Reviews: (2*5 + 4)/3 = 4.67 and (2*2 + 2 + 3)/4 = 2.25; N/A is left out of its mean.
    assert first["Praxisbezug (mean)"] == "3.50" and first["Transferpotenzial (mean)"] == "3.00"
    assert first["Score"] == "3.46" and first["Reviews"] == "2" and first["Spread"] == "2.42"
    assert first["Standard deviation"] == "1.71" and first["Disagreement"] == "yes"
    assert first["First name"] == "'=HYPERLINK(1)"  # defused, never a formula
    second = by_ref[s.second.reference]
    assert (second["Score"], second["Reviews"], second["Reviewers assigned"]) == ("", "0", "1")
    assert export.filename.endswith(".csv") and export.rows == 2


def test_the_xlsx_keeps_numbers_as_numbers_and_lists_every_review(scored):
    s = scored
    export = _export(s.call, "xlsx", s.coordinator)
    workbook = load_workbook(io.BytesIO(export.content))
    applications, reviews = workbook.worksheets
    header = [c.value for c in applications[1]]
    rows = {r[0]: dict(zip(header, r, strict=True))
            for r in applications.iter_rows(min_row=2, values_only=True)}
    first = rows[s.first.reference]
    assert first["Score"] == pytest.approx(3.46) and first["Reviews"] == 2
    assert first["Praxisbezug (mean)"] == pytest.approx(3.5)
    assert first["First name"] == "'=HYPERLINK(1)"
    review_header = [c.value for c in reviews[1]]
    review_rows = [dict(zip(review_header, r, strict=True))
                   for r in reviews.iter_rows(min_row=2, values_only=True)]
    assert [r["Reviewer"] for r in review_rows] == ["reviewer@example.org", "Robin Zwei"]
    assert review_rows[0]["Transferpotenzial"] == "n/a" and review_rows[0]["Praxisbezug"] == 5
    assert Decimal(str(review_rows[0]["Score"])) == Decimal("4.67")


def test_an_export_is_audited_without_its_rows(scored):
    s = scored
    _export(s.call, "csv", s.coordinator)
    entry = AuditEntry.objects.get(action="review.export")
    assert entry.actor == s.coordinator and entry.data == {"format": "csv", "rows": 2}


def test_a_coordinator_downloads_the_export(client, scored):
    f.login_staff(client, scored.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reviews:export", args=[scored.call.pk, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(response.content)).worksheets[0].max_row == 3
    assert client.get(reverse("reviews:export", args=[scored.call.pk, "pdf"])).status_code == 404


def test_the_export_is_refused_to_reviewers(client, scored):
    f.login_staff(client, scored.reviewer)
    response = client.get(reverse("reviews:export", args=[scored.call.pk, "csv"]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="review.export").exists()
