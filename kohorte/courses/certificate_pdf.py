"""Rendering a certificate: plain data in, PDF bytes out.

Nothing here reads the database, so the bulk issue can run it in worker processes
(``pool_init`` / ``pool_render``): the parent sends a dict per certificate and writes
the files and rows itself. The PDF is tagged (PDF/UA-1) with German as its language,
a title and alt text for every image, so screen readers can read it.

Images (logos, signatures, the QR code) are embedded as data URIs; the renderer
fetches nothing else (an uploaded SVG cannot pull in local files or the network).
"""

import base64
import io
from datetime import date
from decimal import Decimal

import filetype
import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

LANGUAGE = "de"
IMAGE_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}


def sniff_image_type(data: bytes) -> str | None:
    """PNG, JPEG or SVG judged by the content, never by a file name; else None."""
    if not data:
        return None
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return kind.mime if kind.mime in ("image/png", "image/jpeg") else None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--", b"<!doctype svg"))
                                    and b"<svg" in head):
        return "image/svg+xml"
    return None


def image_data_uri(data: bytes) -> str:
    """A data URI for an image, or "" when the bytes are no PNG, JPEG or SVG."""
    mime = sniff_image_type(data)
    if mime is None:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def qr_data_uri(url: str) -> str:
    """The verification link as a QR code (SVG)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False,
                                    svgns=True)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def format_code(code: str) -> str:
    """ABCD-EFGH-…: easier to read out and type; the check ignores the dashes."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def format_hours(value) -> str:
    """52.50 -> "52,5", 56.00 -> "56" (German decimal comma, no trailing zeros)."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(value)


def _joined(names: list[str]) -> str:
    """"A", "A and B", "A, B and C" (in the active language)."""
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _context(document: dict, images: dict) -> dict:
    content = document["content"]
    modules = [{
        **module,
        "first": date.fromisoformat(module["first"]) if module.get("first") else None,
        "last": date.fromisoformat(module["last"]) if module.get("last") else None,
        "hours": format_hours(module["hours"]),
    } for module in content.get("modules", [])]
    institutions = [{**institution, "logo": images.get("logos", {}).get(str(institution["id"]), "")}
                    for institution in content.get("institutions", [])]
    signatories = [{**signatory,
                    "image": images.get("signatures", {}).get(str(signatory["id"]), "")}
                   for signatory in content.get("signatories", [])]
    return {
        "holder_name": document["holder_name"],
        "programme_title": document["programme_title"],
        "programme_name": content.get("programme_name", ""),
        "text": content.get("text", ""),
        "modules": modules,
        "first_day": modules[0]["first"] if modules else None,
        "last_day": modules[-1]["last"] if modules else None,
        "attended": format_hours(content["hours"]["attended"]),
        "scheduled": format_hours(content["hours"]["scheduled"]),
        "institutions": institutions,
        "institution_names": _joined([i["name"] for i in institutions]),
        "signatories": signatories,
        "place": content.get("place", ""),
        "date": date.fromisoformat(content["date"]),
        "code": format_code(document["code"]),
        "verify_url": document["verify_url"],
        "qr": qr_data_uri(document["verify_url"]),
    }


def certificate_html(document: dict, images: dict) -> str:
    with translation.override(LANGUAGE):
        return render_to_string("courses/certificates/pdf.html", _context(document, images))


def _fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols=["data"], timeout=1)


def html_to_pdf(html: str, *, cache: dict | None = None) -> bytes:
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf(
        pdf_variant="pdf/ua-1", cache=cache if cache is not None else {})


def certificate_pdf(document: dict, images: dict, *, cache: dict | None = None) -> bytes:
    """The PDF of one certificate.

    ``document``: code, verify_url, holder_name, programme_title and the frozen
    ``content`` (as stored on the Certificate). ``images``: {"logos": {institution id:
    data URI}, "signatures": {signatory id: data URI}}.
    """
    return html_to_pdf(certificate_html(document, images), cache=cache)


def certificate_pdf_cached(document: dict, images: dict, cache: dict) -> bytes:
    """``certificate_pdf`` for one of many certificates of a cohort: ``cache`` keeps what
    the first rendering decoded (the shared logos and signatures), and drops what later
    ones add (each certificate's own QR code), so memory stays flat however many."""
    kept = set(cache)
    pdf = certificate_pdf(document, images, cache=cache)
    if kept:
        for key in set(cache) - kept:
            del cache[key]
    return pdf


# --- Worker processes of the bulk issue -------------------------------------------------

_pool_images: dict = {}
_pool_cache: dict = {}


def pool_init(images: dict) -> None:
    """Runs once in each worker: the cohort's images, shared by all its certificates
    (sent once instead of with every certificate; weasyprint caches them decoded)."""
    global _pool_images, _pool_cache
    import django
    from django.apps import apps

    if not apps.ready:  # a spawned (not forked) worker
        django.setup()
    _pool_images = images
    _pool_cache = {}


def pool_render(document: dict) -> bytes:
    return certificate_pdf_cached(document, _pool_images, _pool_cache)
