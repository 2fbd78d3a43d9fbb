import secrets
import uuid

from django.utils import timezone


def new_secret() -> str:
    """An unguessable token for private links (calendar feeds, check-in signing)."""
    return secrets.token_urlsafe(24)


def private_upload_path(instance, filename):
    # The stored name says nothing about the person or the content; the original is a field.
    return f"courses/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
