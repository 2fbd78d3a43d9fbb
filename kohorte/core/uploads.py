"""Checking an uploaded file before it is stored: its size, and its type by content,
never by its name or the browser's claim."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def upload_content_type(uploaded_file, *, allowed, wrong_type_message: str,
                        sniff_bytes: int = 8192) -> str:
    """The file's MIME type when it is one of ``allowed`` and neither empty nor larger
    than KOHORTE_MAX_UPLOAD_BYTES (10 MB); a translated ValidationError (code ``size``,
    ``empty`` or ``type``) otherwise."""
    if uploaded_file.size > settings.KOHORTE_MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="size")
    if uploaded_file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded_file.seek(0)
    kind = filetype.guess(uploaded_file.read(sniff_bytes))
    uploaded_file.seek(0)
    if kind is None or kind.mime not in allowed:
        raise ValidationError(wrong_type_message, code="type")
    return kind.mime
