"""The certificate's PDF: its text, its look (rendered to an image), its accessibility."""

import base64
import io

import pypdfium2
import pytest
from pypdf import PdfReader

from kohorte.courses import certificate_pdf as rendering

from .matrix_certificates import LOGO_SVG, signature_png

CODE = "ABCDEFGHJKMNPQRSTUVW"


def document(**changes):
    content = {
        "cohort": "Qualifizierung Gemeinwesenarbeit 2026/27",
        "programme_name": "Landesprogramm Gemeinwesenarbeit",
        "text": "Acht Bausteine und ein Praxisprojekt im eigenen Quartier.",
        "modules": [{"position": i, "title": f"Baustein {i}", "first": f"2026-{i + 1:02d}-02",
                     "last": f"2026-{i + 1:02d}-03", "hours": "14.00", "places": ["Fulda"]}
                    for i in range(1, 9)],
        "hours": {"attended": "108.50", "scheduled": "112.00"},
        "institutions": [{"id": 1, "name": "Hochschule Fulda", "city": "Fulda"},
                         {"id": 2, "name": "Hochschule RheinMain", "city": "Wiesbaden"}],
        "place": "Fulda", "date": "2026-11-20",
        "signatories": [{"id": 7, "name": "Prof. Dr. Anna Beispiel", "function": "Leitung",
                         "institution": "Hochschule Fulda"},
                        {"id": 8, "name": "Prof. Dr. Ben Muster", "function": "Dekan",
                         "institution": "Hochschule RheinMain"}],
    }
    content.update(changes)
    return {"code": CODE, "verify_url": f"http://testserver/zertifikate/{CODE}/",
            "holder_name": "Erika Mustermann",
            "programme_title": "Qualifizierung Gemeinwesenarbeit 2026/27", "content": content}


IMAGES = {"logos": {"1": rendering.image_data_uri(LOGO_SVG),
                    "2": rendering.image_data_uri(signature_png(240, 60))},
          "signatures": {"7": rendering.image_data_uri(signature_png())}}


@pytest.fixture(scope="module")
def pdf():
    return rendering.certificate_pdf(document(), IMAGES)


def test_the_certificate_is_one_page_that_says_who_what_how_long_and_how_to_check_it(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ["Erika Mustermann", "Qualifizierung Gemeinwesenarbeit 2026/27",
                     "Landesprogramm Gemeinwesenarbeit", "Hochschule Fulda",
                     "Hochschule RheinMain", "Baustein 1", "Baustein 8", "02.02.–03.02.2026",
                     "108,5", "112", "Fulda, 20.", "Prof. Dr. Anna Beispiel", "Dekan",
                     "ABCD-EFGH-JKMN-PQRS-TUVW", f"/zertifikate/{CODE}/"]:
        assert expected in text, expected


def test_the_certificate_renders_to_an_a4_page_that_is_not_blank(pdf):
    document_ = pypdfium2.PdfDocument(pdf)
    try:
        page = document_[0]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        image = page.render(scale=1).to_pil().convert("L")
    finally:
        document_.close()
    assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert 0.01 < dark / (image.size[0] * image.size[1]) < 0.5, "some ink, not a black page"
    # The QR code sits in the lower left corner: it must be there, dark and light.
    corner = image.crop((40, 700, 160, 830))
    darkest, lightest = corner.getextrema()
    assert darkest < 50 and lightest > 200


def test_the_certificate_is_a_tagged_pdf_in_german_with_a_title_and_alt_texts(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert reader.metadata.title.endswith("Erika Mustermann")
    alts = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "keys"):
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"])
    assert any("QR" in alt for alt in alts), alts
    assert any("Anna Beispiel" in alt for alt in alts), alts  # the signature
    assert any("Hochschule Fulda" in alt for alt in alts), alts  # the logo
    assert "pdfuaid" in str(root["/Metadata"].get_object().get_data())


def test_an_uploaded_svg_cannot_pull_in_local_files_or_the_network():
    fetcher = rendering._fetcher()
    for url in ["file:///etc/hostname", "http://169.254.169.254/latest/meta-data/"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    leaking = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
               b'width="100" height="40"><image xlink:href="file:///etc/hostname" width="100" '
               b'height="40"/></svg>')
    pdf = rendering.certificate_pdf(document(), {"logos": {"1": rendering.image_data_uri(leaking)}})
    assert "Erika Mustermann" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_only_png_jpeg_and_svg_count_as_images():
    assert rendering.sniff_image_type(signature_png()) == "image/png"
    assert rendering.sniff_image_type(LOGO_SVG) == "image/svg+xml"
    assert rendering.sniff_image_type(b"%PDF-1.4 not an image") is None
    assert rendering.sniff_image_type(b"<html><svg></svg></html>") is None
    assert rendering.image_data_uri(b"GIF89a....") == ""
    uri = rendering.image_data_uri(signature_png())
    assert base64.b64decode(uri.split(",", 1)[1]) == signature_png()


def test_hours_are_written_the_german_way_without_trailing_zeros():
    from django.utils import translation

    with translation.override("de"):
        assert rendering.format_hours("52.50") == "52,5"
        assert rendering.format_hours("56.00") == "56"
        assert rendering.format_hours("3.25") == "3,25"
