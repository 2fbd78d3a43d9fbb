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


# --- Many certificates of a cohort: the shared layout and the slots ----------------------

def _person(number, **changes):
    code = f"ABCDEFGHJKMNPQRS{number:04d}"
    result = document()
    result.update(code=code, verify_url=f"http://testserver/zertifikate/{code}/",
                  holder_name=f"Person {number} Yılmaz-Müller")
    result["content"] = {**result["content"],
                         "hours": {"attended": f"{100 + number}.50", "scheduled": "112.00"}}
    result.update(changes)
    return result


def _pixels(pdf):
    rendered = pypdfium2.PdfDocument(pdf)
    try:
        return rendered[0].render(scale=1.5).to_pil().convert("L")
    finally:
        rendered.close()


def _alt_texts(pdf):
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    alts, tags = [], []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "keys"):
            if "/S" in node:
                tags.append(str(node["/S"]))
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return alts, tags


def _tagged_text(pdf) -> list[tuple[str, str]]:
    """(tag, text) of every structure element with marked content, in the structure
    tree's (the reading) order; the text is what the page draws inside that marked
    content. Raises if a marked-content id is missing, doubled or not where the
    parent tree says."""
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    drawn, current = {}, []

    def before(operator, operands, _cm, _tm):
        if operator == b"BDC" and hasattr(operands[1], "keys") and "/MCID" in operands[1]:
            current.append(int(operands[1]["/MCID"]))
            assert current[-1] not in drawn
            drawn[current[-1]] = ""
        elif operator == b"BDC" or operator == b"BMC":
            current.append(None)
        elif operator == b"EMC":
            current.pop()

    def text(value, *_args):
        if current and current[-1] is not None:
            drawn[current[-1]] += value

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    ids = [int(operands[1]["/MCID"])
           for operands, operator in ContentStream(page.get_contents(), reader).operations
           if operator == b"BDC" and hasattr(operands[1], "keys") and "/MCID" in operands[1]]
    assert ids and sorted(ids) == list(range(len(ids))) == sorted(drawn)
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    parents = nums[nums.index(page["/StructParents"]) + 1].get_object()
    assert len(parents) == len(ids)
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, int):
            found.append(int(node))
        elif hasattr(node, "keys") and "/K" in node:
            before_kids = len(found)
            walk(node["/K"])
            for mcid in found[before_kids:]:
                if len(result) < len(found):
                    assert parents[mcid].get_object() == node
                    result.append((str(node["/S"]), drawn[mcid].strip()))

    result: list = []
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert sorted(found) == list(range(len(ids)))
    return result


def test_the_whole_certificate_tags_every_drawn_text():
    tagged = _tagged_text(rendering.certificate_pdf(document(), IMAGES))
    texts = [text for _tag, text in tagged]
    assert "Erika Mustermann" in texts
    assert texts.index("Teilnahmezertifikat") < texts.index("Erika Mustermann")


def test_the_cohort_renderer_gives_each_person_the_pdf_a_whole_layout_gives():
    from PIL import ImageChops

    documents = [_person(number) for number in range(12)]  # two documents of slots
    pdfs = rendering.CertificateRenderer(IMAGES).pdfs(documents)
    assert len(pdfs) == 12
    for number in (0, 5, 11):
        whole = rendering.certificate_pdf(documents[number], IMAGES)
        assert ImageChops.difference(_pixels(whole), _pixels(pdfs[number])).getbbox() is None
        reader, whole_reader = PdfReader(io.BytesIO(pdfs[number])), PdfReader(io.BytesIO(whole))
        text = reader.pages[0].extract_text()
        # The same lines; the person's lines come last in the content stream (drawn
        # after the shared drawing), the tags give the reading order (compared below).
        assert sorted(text.splitlines()) == sorted(whole_reader.pages[0].extract_text().splitlines())
        assert f"Person {number} Yılmaz-Müller" in text
        assert f"Teilgenommen: {100 + number},5 von 112 Stunden" in text
        assert rendering.format_code(documents[number]["code"]) in text
        assert reader.metadata.title == f"Teilnahmezertifikat – Person {number} Yılmaz-Müller"
        assert _alt_texts(pdfs[number]) == _alt_texts(whole)
        assert _tagged_text(pdfs[number]) == _tagged_text(whole)  # the reading order
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "de" and root["/MarkInfo"]["/Marked"]
        assert "pdfuaid" in str(root["/Metadata"].get_object().get_data())


def test_a_name_too_long_for_one_line_is_laid_out_whole_and_nothing_overlaps():
    long_name = ("Maximiliane Alexandra Friederike Wilhelmine von "
                 "Hohenzollern-Sigmaringen-Ostfriesland")
    documents = [_person(1), _person(2, holder_name=long_name), _person(3)]
    pdfs = rendering.CertificateRenderer(IMAGES).pdfs(documents)
    from PIL import ImageChops

    whole = rendering.certificate_pdf(documents[1], IMAGES)
    assert ImageChops.difference(_pixels(whole), _pixels(pdfs[1])).getbbox() is None
    text = PdfReader(io.BytesIO(pdfs[1])).pages[0].extract_text()
    assert "Hohenzollern-Sigmaringen-Ostfriesland" in text and "Maximiliane" in text
    assert "Person 3 Yılmaz-Müller" in PdfReader(io.BytesIO(pdfs[2])).pages[0].extract_text()


def test_the_renderer_keeps_only_the_shared_images_however_many_certificates():
    renderer = rendering.CertificateRenderer(IMAGES)
    renderer.pdfs([_person(number) for number in range(3)])
    kept = set(renderer.cache)
    renderer.pdfs([_person(number) for number in range(3, 15)])
    assert set(renderer.cache) == kept  # no QR code of any person stays


def test_three_signatories_and_institutions_stand_side_by_side_on_one_page():
    three = document(
        institutions=[{"id": n, "name": f"Hochschule {n}", "city": "Fulda"} for n in (1, 2, 3)],
        signatories=[{"id": n, "name": f"Prof. Dr. Person {n}", "function": "Leitung",
                      "institution": "Hochschule"} for n in (7, 8, 9)])
    pdf = rendering.certificate_pdf(three, IMAGES)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for name in ["Hochschule 3", "Prof. Dr. Person 7", "Prof. Dr. Person 9"]:
        assert name in text


def test_a_large_scan_is_scaled_down_once_and_a_small_image_kept_as_it_is():
    from PIL import Image

    scan = signature_png(3000, 1000)
    uri = rendering.image_data_uri(scan)
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        assert image.width <= rendering.IMAGE_MAX_PIXELS[0]
        assert image.height <= rendering.IMAGE_MAX_PIXELS[1]
        assert abs(image.width / image.height - 3) < 0.05  # not distorted
    assert rendering.image_data_uri(signature_png()) == (
        "data:image/png;base64," + base64.b64encode(signature_png()).decode("ascii"))


def test_the_qr_code_is_a_small_png_with_a_quiet_zone_and_the_link_in_it():
    import segno
    from PIL import Image

    url = f"http://testserver/zertifikate/{CODE}/"
    with Image.open(io.BytesIO(rendering.qr_png(url))) as image:
        expected = segno.make(url, error="m", mask=0)
        assert image.size == expected.symbol_size(scale=1, border=2)
        pixels = image.load()
        assert pixels[0, 0] == 255 and pixels[2, 2] == 0  # quiet zone, then the finder
        for y, row in enumerate(expected.matrix):
            for x, dark in enumerate(row):
                assert (pixels[x + 2, y + 2] == 0) == bool(dark)


def _transparent_png(width=320, height=80) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(image).rectangle((0, 0, width // 3, height), fill=(0, 51, 102, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_logos_and_signatures_are_compressed_once_and_every_pdf_has_the_same_bytes(
        monkeypatch):
    images = {"logos": {"1": rendering.image_data_uri(_transparent_png()),  # with a mask
                        "2": rendering.image_data_uri(signature_png(240, 60))},
              "signatures": {"7": rendering.image_data_uri(signature_png())}}
    documents = [_person(number) for number in range(12)]
    kept = rendering.CertificateRenderer(images)
    compressed = []
    make = rendering.RasterImage.get_x_object
    monkeypatch.setattr(rendering.RasterImage, "get_x_object",
                        lambda image, *args: compressed.append(image) or make(image, *args))
    pdfs = kept.pdfs(documents)
    shared = [image for image in kept.cache.values()
              if isinstance(image, rendering.RasterImage)]
    assert len(shared) == 3
    assert all(compressed.count(image) == 1 for image in shared)  # not once per PDF

    monkeypatch.setattr(rendering, "_keep_compressed", lambda image: None)
    assert pdfs == rendering.CertificateRenderer(images).pdfs(documents)
    for pdf in (pdfs[0], pdfs[11]):
        resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]
        sizes = sorted((int(x.get_object()["/Width"]), "/SMask" in x.get_object())
                       for x in resources.values())
        assert (240, False) in sizes and (300, False) in sizes and (320, True) in sizes
