import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kohorte.core.models import AuditEntry
from kohorte.core.tests import factories as f
from kohorte.courses.models import Material
from kohorte.courses.services import materials as services
from kohorte.courses.services.cohort import participant_leave

from .world import course_world

pytestmark = pytest.mark.django_db


def _zip(entries, *, first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first[0], first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<r/>",
             "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
PPTX = _zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})
ODT = _zip({"content.xml": "<office/>"},
           first=("mimetype", "application/vnd.oasis.opendocument.text"))
PLAIN_ZIP = _zip({"notes.txt": "hallo"})


def _upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.pdf", f.PDF_BYTES, services.PDF),
    ("a.png", f.PNG_BYTES, services.PNG),
    ("a.docx", DOCX, services.DOCX),
    ("a.xlsx", XLSX, services.XLSX),
    ("a.pptx", PPTX, services.PPTX),
    ("a.odt", ODT, services.ODT),
])
def test_a_file_is_recognised_by_its_content(name, data, expected):
    assert services.sniff_material_type(_upload(name, data)) == expected


@pytest.mark.parametrize(("name", "data"), [
    ("a.docx", PLAIN_ZIP),
    ("a.pdf", b"MZ\x90\x00 not a pdf at all"),
    ("a.docx", b"PK\x03\x04 broken archive"),
    ("a.odt", _zip({"content.xml": "x"}, first=("mimetype", "application/x-evil"))),
])
def test_other_content_is_refused_whatever_its_name(name, data):
    assert services.sniff_material_type(_upload(name, data)) is None


def test_a_file_over_20_mb_is_refused(personas):
    w = course_world(personas, others=0)
    big = _upload("gross.pdf", f.PDF_BYTES + b"0" * (20 * 1024 * 1024))
    with pytest.raises(Exception) as error:
        services.material_add_file(module=w.module, title="Groß", uploaded_file=big,
                                   actor=w.coordinator)
    assert "20 MB" in str(error.value)
    assert not Material.objects.exists()


def test_a_lecturer_adds_a_file_to_their_own_module(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.lecturer)
    url = reverse("courses:material_add", args=[w.module.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Leitfaden",
                                 "file": _upload("leitfaden.docx", DOCX)})
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.content_type == services.DOCX and material.original_name == "leitfaden.docx"
    assert AuditEntry.objects.filter(action="material.add", object_id=str(material.pk)).exists()


def test_a_file_of_the_wrong_kind_is_refused_with_a_clear_error(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    response = client.post(reverse("courses:material_add", args=[w.module.pk]),
                           {"title": "Virus", "file": _upload("leitfaden.pdf", PLAIN_ZIP)})
    assert response.status_code == 400
    assert 'href="#id_file"' in response.content.decode()
    assert not Material.objects.exists()


def test_a_file_and_a_link_together_are_refused(client, personas):
    w = course_world(personas, others=0)
    f.login_staff(client, w.coordinator)
    response = client.post(reverse("courses:material_add", args=[w.module.pk]),
                           {"title": "Beides", "file": _upload("a.pdf", f.PDF_BYTES),
                            "url": "https://example.org"})
    assert response.status_code == 400 and not Material.objects.exists()


def test_a_lecturer_cannot_manage_another_modules_materials(client, personas):
    w = course_world(personas, others=0)
    material = Material.objects.create(module=w.other_module, title="Fremd",
                                       url="https://example.org/fremd")
    f.login_staff(client, w.lecturer)
    assert client.get(reverse("courses:material_add", args=[w.other_module.pk])).status_code == 403
    assert client.post(reverse("courses:material_add", args=[w.other_module.pk]),
                       {"title": "X", "url": "https://example.org"}).status_code == 403
    assert client.post(reverse("courses:material_remove", args=[material.pk])).status_code == 403
    assert Material.objects.count() == 1


def test_reviewers_and_outsiders_cannot_manage_materials(client, personas):
    w = course_world(personas, others=0)
    for user in (w.reviewer, w.outsider):
        f.login_staff(client, user)
        assert client.get(reverse("courses:material_add", args=[w.module.pk])).status_code == 403


def _file_material(w, module=None):
    return services.material_add_file(module=module or w.module, title="Skript",
                                      uploaded_file=_upload("skript.pdf", f.PDF_BYTES),
                                      actor=w.coordinator)


def test_an_active_participant_downloads_through_the_checked_view(client, personas):
    w = course_world(personas, others=0)
    material = _file_material(w)
    client.force_login(w.applicant)
    response = client.get(reverse("courses:material_download", args=[w.participant.pk, material.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert "/no-public-media/" not in client.get(
        reverse("courses:participation_detail", args=[w.participant.pk])).content.decode()


def test_others_cannot_download_a_cohorts_material(client, personas):
    w = course_world(personas, others=0)
    material = _file_material(w)
    url = reverse("courses:material_download", args=[w.other_participant.pk, material.pk])
    client.force_login(w.second_applicant)  # a participant of another cohort
    assert client.get(url).status_code == 404
    assert client.get(reverse("courses:material_download",
                              args=[w.participant.pk, material.pk])).status_code == 404
    client.force_login(w.applicant)
    participant_leave(participant=w.participant, left_on=timezone.localdate(), reason="Umzug",
                      actor=w.coordinator)
    assert client.get(reverse("courses:material_download",
                              args=[w.participant.pk, material.pk])).status_code == 404


def test_lecturers_download_their_modules_materials_only(client, personas):
    w = course_world(personas, others=0)
    own, other = _file_material(w), _file_material(w, w.other_module)
    f.login_staff(client, w.lecturer)
    assert client.get(reverse("courses:material_download_staff", args=[own.pk])).status_code == 200
    assert client.get(reverse("courses:material_download_staff",
                              args=[other.pk])).status_code == 403
    f.login_staff(client, w.coordinator)
    assert client.get(reverse("courses:material_download_staff",
                              args=[other.pk])).status_code == 200
    f.login_staff(client, w.outsider)
    assert client.get(reverse("courses:material_download_staff", args=[own.pk])).status_code == 403


def test_removing_a_material_is_a_confirmed_post(client, personas, django_capture_on_commit_callbacks):
    w = course_world(personas, others=0)
    material = _file_material(w)
    storage, name = material.file.storage, material.file.name
    f.login_staff(client, w.lecturer)
    url = reverse("courses:material_remove", args=[material.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Material.objects.exists()
    assert not storage.exists(name)
    assert AuditEntry.objects.filter(action="material.remove").exists()
