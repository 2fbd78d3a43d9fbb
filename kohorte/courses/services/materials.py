"""Materials of a module: files (kept in private storage) and links.

A file is judged by its content, never by its name or the browser's claim: PDF, PNG,
JPEG, the zip-based office formats (DOCX, XLSX, PPTX) and ODT, at most 20 MB. The
zip-based formats are recognised by the entries of the archive, which stays right
however the producing program orders them.
"""

import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record

from ..models import Material

MAX_MATERIAL_BYTES = 20 * 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED_TYPES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "DOCX", XLSX: "XLSX",
                 PPTX: "PPTX", ODT: "ODT"}
_OFFICE_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def _zipped_type(uploaded_file) -> str | None:
    """DOCX/XLSX/PPTX by their main part, ODT by its ``mimetype`` entry."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return ODT if declared == ODT else None
            if "[Content_Types].xml" not in names:
                return None
            found = {kind for prefix, kind in _OFFICE_PARTS.items()
                     if any(name.startswith(prefix) for name in names)}
            return found.pop() if len(found) == 1 else None
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    finally:
        uploaded_file.seek(0)


def sniff_material_type(uploaded_file) -> str | None:
    """The file's type from its content, or None when it is none of the allowed ones."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _zipped_type(uploaded_file)
    kind = filetype.guess(head)
    return kind.mime if kind and kind.mime in (PDF, PNG, JPEG) else None


def _clean_title(title):
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Please give the material a title.")},
                              code="required")
    return title


@transaction.atomic
def material_add_file(*, module, title, uploaded_file, actor, now=None) -> Material:
    """Store an uploaded file for a module after checking its size and its content."""
    now = now or timezone.now()
    title = _clean_title(title)
    if uploaded_file.size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    if uploaded_file.size > MAX_MATERIAL_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")}, code="size")
    content_type = sniff_material_type(uploaded_file)
    if content_type is None:
        raise ValidationError({"file": _("Please upload a PDF, Word, Excel, PowerPoint, "
                                         "OpenDocument text, PNG or JPEG file.")},
                              code="type")
    name = (uploaded_file.name or "material").replace("\\", "/").rsplit("/", 1)[-1][:200]
    material = Material(module=module, title=title, original_name=name,
                        content_type=content_type, size=uploaded_file.size,
                        uploaded_by=actor if actor and actor.pk else None, uploaded_at=now)
    material.file.save(name, uploaded_file, save=False)
    material.save()
    # Should the transaction roll back after this point, the file has no row (the
    # stored name is random and reveals nothing); nothing links to it.
    audit_record(actor=actor, action="material.add", obj=material,
                 data={"module": module.pk, "size": material.size, "type": content_type})
    return material


@transaction.atomic
def material_add_link(*, module, title, url, actor, now=None) -> Material:
    now = now or timezone.now()
    title = _clean_title(title)
    if not url:
        raise ValidationError({"url": _("Please give the link.")}, code="required")
    material = Material.objects.create(module=module, title=title, url=url,
                                       uploaded_by=actor if actor and actor.pk else None,
                                       uploaded_at=now)
    audit_record(actor=actor, action="material.add", obj=material,
                 data={"module": module.pk, "url": url})
    return material


@transaction.atomic
def material_remove(*, material, actor) -> None:
    """Remove a material; its file leaves the storage once the removal is committed."""
    audit_record(actor=actor, action="material.remove", obj=material,
                 data={"module": material.module_id, "title": material.title,
                       "file": material.original_name, "url": material.url})
    file_name, storage = material.file.name, material.file.storage
    material.delete()
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name))
