"""The proof of use as PDF: tagged (PDF/UA), German, with its title, rendered by
WeasyPrint from the same snapshot and partial as the page. Nothing is fetched from
outside."""

from django.template.loader import render_to_string
from django.utils import translation

from .proof import document_context

# The proof goes to a German authority: its files are German whatever the page language.
DOCUMENT_LANGUAGE = "de"


def proof_pdf(snapshot: dict, *, title: str, draft: bool, sha256: str = "") -> bytes:
    from weasyprint import HTML  # heavy: loaded when a proof is printed
    from weasyprint.urls import URLFetcher

    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string("reporting/proof/proof_pdf.html", {
            **document_context(snapshot), "title": title, "draft": draft, "sha256": sha256,
            "LANGUAGE_CODE": DOCUMENT_LANGUAGE})
    fetcher = URLFetcher(allowed_protocols=["data"], timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
