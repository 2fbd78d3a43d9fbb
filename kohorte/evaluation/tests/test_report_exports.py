"""The data export: one row per person and measurement, read back with the csv module;
running numbers instead of tokens, missing answers empty, a codebook with wording in
both languages, value labels and measurement codes; audited; refused where the matrix
says so."""

import csv
import io
import random
import zipfile

import pytest
from django.urls import reverse

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort
from kohorte.evaluation.exports import MEASUREMENT_CODES, evaluation_data_export
from kohorte.evaluation.models import Pseudonym, PseudonymKey

from .report_world import answer_competence, answered_cohort, competence_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _read(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == ["codebuch.csv", "codebuch.md", "daten.csv"]
    data = list(csv.DictReader(io.StringIO(archive.read("daten.csv").decode("utf-8"))))
    codebook = list(csv.DictReader(io.StringIO(archive.read("codebuch.csv").decode("utf-8"))))
    return data, codebook, archive.read("codebuch.md").decode("utf-8")


@pytest.fixture
def w(personas):
    cohort, instrument, pre, post, then = answered_cohort(
        f.make_call(personas.programme), people=6, programme=personas.programme)
    personas.cohort, personas.instrument = cohort, instrument
    personas.pre, personas.post, personas.then = pre, post, then
    return personas


def test_each_person_has_one_row_per_measurement_with_the_figures_they_gave(client, w):
    f.login_staff(client, w.evaluator)
    response = client.get(reverse("evaluation:report_cohort_data", args=[w.cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data, _codebook, _ = _read(response.content)
    assert len(data) == 6 * 3
    keys = list(w.instrument.items.order_by("column").values_list("key", flat=True))
    assert list(data[0]) == ["person", "kohorte", "messung", *keys]
    # Each exported person's three rows are one participant's pre, then and post answers.
    by_person = {}
    for row in data:
        by_person.setdefault(row["person"], {})[int(row["messung"])] = [
            int(row[key]) for key in keys]
    assert sorted(by_person, key=int) == [str(n) for n in range(1, 7)]
    given = {tuple(w.pre[i]): (tuple(w.then[i]), tuple(w.post[i])) for i in range(6)}
    for rows in by_person.values():
        pre = tuple(rows[MEASUREMENT_CODES["pre"]])
        assert given[pre] == (tuple(rows[MEASUREMENT_CODES["then"]]),
                              tuple(rows[MEASUREMENT_CODES["post"]]))
    assert all(row["kohorte"] == "1" for row in data)


def test_no_stored_token_leaves_and_numbers_are_drawn_afresh(w):
    tokens = set(Pseudonym.objects.values_list("token", flat=True))
    first = evaluation_data_export(cohorts=[w.cohort], instrument=w.instrument, actor=None,
                                   obj=w.cohort, rng=random.Random(1))
    second = evaluation_data_export(cohorts=[w.cohort], instrument=w.instrument, actor=None,
                                    obj=w.cohort, rng=random.Random(2))
    for export in (first, second):
        text = zipfile.ZipFile(io.BytesIO(export.content)).read("daten.csv").decode()
        assert not any(token in text for token in tokens)
        assert "Muster" not in text
    rows = [list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(e.content))
                                            .read("daten.csv").decode())))
            for e in (first, second)]
    order = [[r["sozialraumanalyse-1"] + r["aktivierung-1"] + r["messung"] for r in table]
             for table in rows]
    assert order[0] != order[1]  # a different person is number 1


def test_a_missing_answer_is_an_empty_cell(personas):
    cohort = make_cohort(f.make_call(personas.programme), others=5)
    instrument = competence_instrument(personas.programme)
    pre = [[3] * 32 for _ in range(5)]
    pre[0][31] = None
    answer_competence(cohort, instrument, pre=pre, post=[[4] * 32] * 5)
    export = evaluation_data_export(cohorts=[cohort], instrument=instrument, actor=None,
                                    obj=cohort)
    data, _, _ = _read(export.content)
    cells = [row["haltung-4"] for row in data if row["messung"] == "1"]
    assert sorted(cells) == ["", "3", "3", "3", "3"]


def test_the_codebook_lists_wording_types_value_labels_and_measurement_codes(w):
    export = evaluation_data_export(cohorts=[w.cohort], instrument=w.instrument, actor=None,
                                    obj=w.cohort)
    _data, codebook, markdown = _read(export.content)
    rows = {row["variable"]: row for row in codebook}
    first = w.instrument.items.order_by("column").first()
    assert rows[first.key]["label_de"] == first.text_de
    assert rows[first.key]["label_en"] == first.text_en
    assert rows[first.key]["type"] == "integer 1–5"
    assert "1 = trifft gar nicht zu (not at all true)" in rows[first.key]["values"]
    assert "5 = trifft voll zu (completely true)" in rows[first.key]["values"]
    assert rows[first.key]["dimension"] == "Sozialraumanalyse"
    assert "1 = vorher" in rows["messung"]["values"] and "3 = nachher" in rows["messung"]["values"]
    assert w.cohort.title in rows["kohorte"]["values"]
    assert "Entwurf" in markdown and "Pseudonymisiert, nicht anonym" in markdown


def test_the_export_is_audited_without_its_content(client, w):
    f.login_staff(client, w.coordinator)
    client.get(reverse("evaluation:report_cohort_data", args=[w.cohort.pk]))
    entry = AuditEntry.objects.get(action="evaluation_data.export")
    assert entry.actor == w.coordinator
    assert entry.data["people"] == 6 and entry.data["rows"] == 18


def test_the_pooled_export_codes_each_cohort(client, w):
    second, *_ = answered_cohort(f.make_call(w.programme), people=2, seed=3,
                                 instrument=w.instrument)
    f.login_staff(client, w.evaluator)
    response = client.get(reverse("evaluation:report_pooled_data", args=[w.instrument.pk]))
    data, codebook, _ = _read(response.content)
    assert {row["kohorte"] for row in data} == {"1", "2"}
    assert len({row["person"] for row in data}) == 8
    labels = next(row["values"] for row in codebook if row["variable"] == "kohorte")
    assert f"1 = {w.cohort.title}" in labels and f"2 = {second.title}" in labels


def test_the_export_still_works_after_the_key_is_destroyed(w):
    PseudonymKey.objects.all().delete()
    data, _, _ = _read(evaluation_data_export(cohorts=[w.cohort], instrument=w.instrument,
                                              actor=None, obj=w.cohort).content)
    assert len(data) == 18
    assert all(row["moderation-1"] in {"1", "2", "3", "4", "5"} for row in data)


def test_the_funder_and_a_lecturer_may_not_export(client, w):
    for user in (w.funder, w.lecturer):
        f.login_staff(client, user)
        assert client.get(reverse("evaluation:report_cohort_data",
                                  args=[w.cohort.pk])).status_code == 403
