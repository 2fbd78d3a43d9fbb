"""Rendering a certificate: plain data in, PDF bytes out.

Nothing here reads the database, so the bulk issue can run it in worker processes
(``pool_init`` / ``pool_render``): the parent sends plain dicts and writes the files
and rows itself. The PDF is tagged (PDF/UA-1) with German as its language, a title and
alt text for every image, so screen readers can read it.

Images (logos, signatures, the QR code) are embedded as data URIs; the renderer
fetches nothing else (an uploaded SVG cannot pull in local files or the network).
Raster images are scaled down once to what the page needs (``image_data_uri``).

One certificate (``certificate_pdf``) is laid out whole. The certificates of a cohort
(``CertificateRenderer``) share everything but three "slots": the person's name, their
hours and the footer with the verification code and QR code. The renderer lays out
the shared page once (the slots as placeholders), lays out the slots of many
certificates in one document (a page each), and for each certificate puts its slots'
boxes in place of the placeholders before weasyprint draws and tags the page; the PDF
is the one a whole layout gives (the tests compare them). A slot whose size differs
from its placeholder (a name long enough to wrap, a fallback font) makes that
certificate be laid out whole.
"""

import base64
import copy
import io
import json
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import filetype
import pydyf
import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.document import Document, Page
from weasyprint.draw import draw_page, draw_stacking_context
from weasyprint.images import RasterImage
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.stacking import StackingContext
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

LANGUAGE = "de"
PDF_VARIANT = "pdf/ua-1"
IMAGE_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}
# Raster images are scaled down to this many pixels (about 300 dpi for a logo of
# 80 x 20 mm or a signature of 60 x 16 mm): a scan of several megapixels would be
# decoded and compressed again for every certificate.
IMAGE_MAX_PIXELS = (950, 240)
# Content width of the A4 page (210 mm less 18 mm margins) and the gaps between logos
# and between signatures (pdf.css).
PAGE_WIDTH_MM = 174
LOGO_GAP_MM = 6
SIGNATURE_GAP_MM = 10
SLOTS = ("holder", "hours", "verify")
STYLESHEET = Path(__file__).parent / "templates" / "courses" / "certificates" / "pdf.css"


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


def _scaled_down(data: bytes, mime: str) -> tuple[bytes, str]:
    """A raster image larger than IMAGE_MAX_PIXELS, scaled down (as PNG, or JPEG for a
    photo-like JPEG); others as they are. Unreadable images stay as they are (weasyprint
    then leaves them out, as before)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width <= IMAGE_MAX_PIXELS[0] and image.height <= IMAGE_MAX_PIXELS[1]:
                return data, mime
            image.load()
            image.thumbnail(IMAGE_MAX_PIXELS, Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            if mime == "image/jpeg" and image.mode in ("RGB", "L", "CMYK"):
                image.save(buffer, "JPEG", quality=90)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA")
                image.save(buffer, "PNG", optimize=True)
                mime = "image/png"
            return buffer.getvalue(), mime
    except (OSError, ValueError, Image.DecompressionBombError):
        return data, mime


def image_data_uri(data: bytes) -> str:
    """A data URI for an image, or "" when the bytes are no PNG, JPEG or SVG. Large
    raster images are scaled down (done once per cohort, not per certificate)."""
    mime = sniff_image_type(data)
    if mime is None:
        return ""
    if mime != "image/svg+xml":
        data, mime = _scaled_down(data, mime)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def qr_png(url: str) -> bytes:
    """The verification link as a QR code: a PNG with one pixel per module (pdf.css
    scales it up without smoothing), far cheaper to embed than an SVG to lay out."""
    # A fixed mask: choosing the best of eight took 3 ms per code (any mask is valid).
    qr = segno.make(url, error="m", mask=0)
    border = 2
    size = qr.symbol_size(scale=1, border=border)[0]
    image = Image.new("L", (size, size), 255)
    pixels = image.load()
    for y, row in enumerate(qr.matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + border, y + border] = 0
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def qr_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")


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


def _columns(items: list[dict], gap: float) -> list[dict]:
    """Side by side across the page: each item's ``left`` and ``width`` in mm."""
    if not items:
        return items
    width = (PAGE_WIDTH_MM - gap * (len(items) - 1)) / len(items)
    return [{**item, "left": f"{index * (width + gap):.2f}", "width": f"{width:.2f}"}
            for index, item in enumerate(items)]


def _title(holder_name: str) -> str:
    return f"{_('Certificate of participation')} – {holder_name}"


def _slot_context(document: dict) -> dict:
    """What only this certificate says (call inside translation.override)."""
    hours = document["content"]["hours"]
    return {
        "holder_name": document["holder_name"],
        "title": _title(document["holder_name"]),
        "attended": format_hours(hours["attended"]),
        "scheduled": format_hours(hours["scheduled"]),
        "code": format_code(document["code"]),
        "verify_url": document["verify_url"],
        "qr": qr_data_uri(document["verify_url"]),
    }


def _shared_context(document: dict, images: dict) -> dict:
    """What all certificates of the cohort say (call inside translation.override)."""
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
        "programme_title": document["programme_title"],
        "programme_name": content.get("programme_name", ""),
        "text": content.get("text", ""),
        "modules": modules,
        "first_day": modules[0]["first"] if modules else None,
        "last_day": modules[-1]["last"] if modules else None,
        "institutions": _columns(institutions, LOGO_GAP_MM),
        "institution_names": _joined([i["name"] for i in institutions]),
        "signatories": _columns(signatories, SIGNATURE_GAP_MM),
        "place": content.get("place", ""),
        "date": date.fromisoformat(content["date"]),
    }


def certificate_html(document: dict, images: dict) -> str:
    """The HTML of one whole certificate (its look: ``stylesheet()``)."""
    with translation.override(LANGUAGE):
        return render_to_string("courses/certificates/pdf.html", {
            "part": "full", **_shared_context(document, images), **_slot_context(document)})


def _fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols=["data"], timeout=1)


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """One per process: fontconfig is set up once and the fonts stay loaded."""
    return FontConfiguration()


@lru_cache(maxsize=1)
def stylesheet() -> CSS:
    """pdf.css, parsed once per process."""
    return CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=font_config(),
               url_fetcher=_fetcher())


def _render(html: str, cache: dict) -> Document:
    return HTML(string=html, url_fetcher=_fetcher()).render(
        stylesheets=[stylesheet()], font_config=font_config(), pdf_variant=PDF_VARIANT,
        cache=cache)


def _write(rendering: Document) -> bytes:
    return rendering.write_pdf(pdf_variant=PDF_VARIANT)


def html_to_pdf(html: str, *, cache: dict | None = None) -> bytes:
    """Any HTML as a PDF/UA-1 document with the certificate's look and fetcher."""
    return _write(_render(html, cache if cache is not None else {}))


def certificate_pdf(document: dict, images: dict, *, cache: dict | None = None) -> bytes:
    """The PDF of one certificate, laid out whole.

    ``document``: code, verify_url, holder_name, programme_title and the frozen
    ``content`` (as stored on the Certificate). ``images``: {"logos": {institution id:
    data URI}, "signatures": {signatory id: data URI}}.
    """
    return html_to_pdf(certificate_html(document, images), cache=cache)


# --- Many certificates of a cohort: the shared layout and the slots ---------------------

def _slot_boxes(box, found: dict) -> dict:
    """{slot name: box} for the boxes of elements with data-slot under ``box`` (in
    document order; an absolutely positioned slot as its placeholder in the flow)."""
    inner = box._box if isinstance(box, AbsolutePlaceholder) else box
    element = getattr(inner, "element", None)
    name = element.get("data-slot") if element is not None else None
    if name and name not in found and not inner.element_tag.startswith("#"):
        found[name] = box
        return found
    for child in getattr(inner, "children", None) or ():
        _slot_boxes(child, found)
    return found


def _slot_groups(box, groups: dict) -> dict:
    """{certificate number: {slot name: box}} in the slots document (pdf_slots.html)."""
    inner = _inner(box)
    element = getattr(inner, "element", None)
    number = element.get("data-certificate") if element is not None else None
    if number is not None and not inner.element_tag.startswith("#"):
        if number not in groups:
            groups[number] = _slot_boxes(box, {})
        return groups
    for child in getattr(inner, "children", None) or ():
        _slot_groups(child, groups)
    return groups


def _inner(box):
    return box._box if isinstance(box, AbsolutePlaceholder) else box


def _replaced(box, replacements: dict, ancestors: set):
    """``box`` with the boxes in ``replacements`` (by id) swapped (a replacement None
    leaves the box out), copying only the boxes on the way to them: the shared layout
    itself is never changed (positions are laid out already: the others stay put)."""
    if id(box) in replacements:
        return replacements[id(box)]
    if id(box) not in ancestors:
        return box
    inner = _inner(box)
    children = (_replaced(child, replacements, ancestors) for child in inner.children)
    new = inner.copy_with_children([child for child in children if child is not None])
    if isinstance(box, AbsolutePlaceholder):
        placeholder = AbsolutePlaceholder(new)
        placeholder.set_laid_out_box(new)
        return placeholder
    return new


def _ancestors(root, targets: set) -> set:
    """Ids of the boxes on the paths from ``root`` to the ``targets`` (by id)."""
    found = set()

    def walk(box, path):
        if id(box) in targets:
            found.update(path)
            return
        inner = _inner(box)
        for child in getattr(inner, "children", None) or ():
            walk(child, path + [id(box)])

    walk(root, [])
    return found


class _SharedDrawing:
    """What drawing the shared page (without its slots) leaves in a PDF page: the
    content stream's operators and what they refer to (marked content for the tags,
    fonts with the glyphs used, images, graphics states). Drawn once per cohort and
    scale; each certificate's page starts with a copy of it and draws its slots after
    it, so weasyprint draws the 200-odd shared boxes once instead of once a person.

    Only plain drawing is replayed: anything else in the shared page (a transparency
    group, a pattern, a gradient) makes ``record`` return None and each page be drawn
    whole (as before)."""

    def __init__(self, operators, tags, fonts, images, graphics_states):
        self.operators = operators
        self.tags = tags
        self.fonts = fonts
        self.images = images
        self.graphics_states = graphics_states

    @classmethod
    def record(cls, page_box, stream, scale):
        """Draws ``page_box`` as ``Page.paint`` would on a fresh page of ``stream``'s
        document (same page rectangle, colour profiles and transformation)."""
        resources = pydyf.Dictionary({
            "ExtGState": pydyf.Dictionary(), "XObject": pydyf.Dictionary(),
            "Pattern": pydyf.Dictionary(), "Shading": pydyf.Dictionary(),
            "ColorSpace": stream._resources["ColorSpace"]})
        fonts, images, tags = {}, {}, {}
        recorder = stream.clone(fonts=fonts, resources=resources, images=images, tags=tags)
        recorder._ctm_stack = list(stream._ctm_stack)
        with recorder.stacked():
            recorder.transform(a=scale, d=scale)
            draw_page(page_box, recorder)
        if (resources["Pattern"] or resources["Shading"]
                or any(value is not None for value in resources["XObject"].values())
                or set(resources) != {"ExtGState", "XObject", "Pattern", "Shading",
                                      "ColorSpace"}
                or recorder._ctm_stack != stream._ctm_stack):
            return None
        return cls(list(recorder.stream), tags, fonts, images, dict(resources["ExtGState"]))

    def replay(self, stream) -> None:
        """Puts the shared drawing on ``stream`` (an empty page's content stream)."""
        stream.stream.extend(self.operators)
        stream._tags.update(self.tags)
        for key, font in self.fonts.items():
            # Writing a PDF subsets its fonts in place and the slots add glyphs: each
            # PDF gets its own copy of the fonts with the shared glyphs in it.
            mine = copy.copy(font)
            mine.widths, mine.to_unicode = dict(font.widths), dict(font.to_unicode)
            mine.missing, mine.tables = dict(font.missing), list(font.tables)
            stream._fonts[key] = mine
        for name, image in self.images.items():
            stream._resources["XObject"][name] = None
            stream._images[name] = {**image, "dpi_ratios": set(image["dpi_ratios"]),
                                    "x_object": None}
        for name, state in self.graphics_states.items():
            stream._resources["ExtGState"][name] = pydyf.Dictionary(state)
        # The shared drawing ends with its graphics state restored: whatever the stream
        # thinks is set (colour, font, alpha) must be set again by the next operator.
        stream._current_color = stream._current_color_stroke = None
        stream._current_alpha = stream._current_alpha_stroke = None
        stream._current_font = stream._current_font_size = None


class _ComposedPage(Page):
    """A certificate's page: the cohort's shared drawing, then the person's slots.

    The page box is the whole composed page (the tags, the text and the links come
    from it); only painting differs. ``shared`` holds the shared page box without its
    slots and the drawings made of it, by scale."""

    def __init__(self, page_box, slots: list, shared: dict):
        super().__init__(page_box)
        self._slots = slots
        self._shared = shared

    def paint(self, stream, scale=1):
        drawings = self._shared["drawings"]
        if scale not in drawings:
            drawings[scale] = _SharedDrawing.record(self._shared["page_box"], stream, scale)
        drawing = drawings[scale]
        if drawing is None or stream._tags or stream._fonts:
            super().paint(stream, scale)  # not a fresh page: draw it whole
            return
        drawing.replay(stream)
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            for box in self._slots:
                draw_stacking_context(stream, StackingContext.from_box(box, self._page_box))


def _stream_copy(stream):
    """A new PDF object with the same (already compressed) data: writing a PDF numbers
    its objects and replaces an image's mask by a reference, so each PDF gets its own."""
    extra = pydyf.Dictionary({
        key: (_stream_copy(value) if isinstance(value, pydyf.Stream)
              else pydyf.Dictionary(value) if isinstance(value, pydyf.Dictionary) else value)
        for key, value in stream.extra.items()})
    return pydyf.Stream(list(stream.stream), extra, compress=stream.compress)


def _keep_compressed(image) -> None:
    """Let a decoded raster image (a logo, a signature) keep its compressed PDF stream:
    weasyprint decodes and compresses it again for every PDF (4–5 ms for a logo of
    950 × 240 px). The stream is made once and each PDF gets a copy of it (the bytes
    are the same as weasyprint's; the tests compare them)."""
    if not isinstance(image, RasterImage) or "get_x_object" in vars(image):
        return
    make = image.get_x_object
    made = {}

    def get_x_object(interpolate, dpi_ratio):
        key = (interpolate, dpi_ratio)
        if key not in made:
            made[key] = make(interpolate, dpi_ratio)
        return _stream_copy(made[key])

    image.get_x_object = get_x_object


class CertificateRenderer:
    """Renders many certificates of one cohort; keep one per process (the bulk issue
    keeps one per worker). ``images`` as for ``certificate_pdf``."""

    # Slots of this many certificates are laid out in one weasyprint document.
    SLOTS_PER_DOCUMENT = 10

    def __init__(self, images: dict):
        self.images = images
        self.cache: dict = {}  # decoded logos and signatures, shared by all renders
        self._shared: dict = {}

    @staticmethod
    def _shared_key(document: dict) -> str:
        content = {k: v for k, v in document["content"].items() if k != "hours"}
        return json.dumps([document["programme_title"], content], sort_keys=True, default=str)

    def _shared_layout(self, document: dict):
        """(page, its slot boxes, metadata) of the cohort's shared layout."""
        key = self._shared_key(document)
        if key not in self._shared:
            with translation.override(LANGUAGE):
                html = render_to_string("courses/certificates/pdf.html", {
                    "part": "shared", "title": _("Certificate of participation"),
                    **_shared_context(document, self.images)})
            rendering = _render(html, self.cache)
            for image in self.cache.values():
                _keep_compressed(image)
            if len(rendering.pages) != 1:
                self._shared[key] = None
            else:
                page_box = rendering.pages[0]._page_box
                slots = _slot_boxes(page_box, {})
                if set(slots) != set(SLOTS):
                    self._shared[key] = None
                else:
                    targets = {id(box) for box in slots.values()}
                    ancestors = _ancestors(page_box, targets)
                    without_slots = _replaced(page_box, dict.fromkeys(targets), ancestors)
                    drawing = {"page_box": without_slots, "drawings": {}}
                    self._shared[key] = (rendering, page_box, slots, ancestors, drawing)
            if len(self._shared) > 4:  # a renderer is meant for one cohort
                self._shared.pop(next(iter(self._shared)))
        return self._shared[key]

    def _whole(self, document: dict) -> bytes:
        return certificate_pdf(document, self.images, cache=dict(self.cache))

    def pdfs(self, documents: list[dict]) -> list[bytes]:
        """The PDFs of ``documents``, in their order."""
        results: list = [None] * len(documents)
        for start in range(0, len(documents), self.SLOTS_PER_DOCUMENT):
            chunk = list(enumerate(documents))[start:start + self.SLOTS_PER_DOCUMENT]
            self._render_chunk(chunk, results)
        return results

    def _render_chunk(self, chunk, results):
        shared = [(index, document, self._shared_layout(document)) for index, document in chunk]
        for index, document, layout in shared:
            if layout is None:
                results[index] = self._whole(document)
        shared = [item for item in shared if item[2] is not None]
        if not shared:
            return
        with translation.override(LANGUAGE):
            contexts = [_slot_context(document) for _index, document, _layout in shared]
            html = render_to_string("courses/certificates/pdf_slots.html",
                                    {"part": "slots", "certificates": contexts})
        # Each certificate's QR code is decoded into a copy of the cache: the shared
        # images stay decoded, the QR codes go with the rendering.
        slots_rendering = _render(html, dict(self.cache))
        groups = {}
        for page in slots_rendering.pages:
            _slot_groups(page._page_box, groups)
        for position, (index, document, layout) in enumerate(shared):
            pdf = self._composed(layout, groups.get(str(position), {}),
                                 contexts[position]["title"])
            results[index] = pdf if pdf is not None else self._whole(document)

    @staticmethod
    def _composed(layout, page_slots: dict, title: str) -> bytes | None:
        rendering, page_box, slots, ancestors, drawing = layout
        replacements = {}
        for name, placeholder in slots.items():
            box = page_slots.get(name)
            if box is None:
                return None
            old, new = _inner(placeholder), _inner(box)
            if (abs(old.border_height() - new.border_height()) > 0.01
                    or abs(old.border_width() - new.border_width()) > 0.01):
                return None  # e.g. a name that wraps: lay this one out whole
            new.translate(old.border_box_x() - new.border_box_x(),
                          old.border_box_y() - new.border_box_y())
            replacements[id(placeholder)] = box
        metadata = copy.copy(rendering.metadata)
        metadata.title = title
        page = _ComposedPage(_replaced(page_box, replacements, ancestors),
                             [_inner(box) for box in replacements.values()], drawing)
        composed = Document([page], metadata,
                            rendering.url_fetcher, rendering.font_config,
                            rendering.color_profiles, rendering.output_intent)
        return _write(composed)


def certificate_pdf_cached(document: dict, images: dict, cache: dict) -> bytes:
    """``certificate_pdf`` for one of many certificates of a cohort: ``cache`` (a dict
    kept across calls) holds a ``CertificateRenderer``, which lays out what they share
    once."""
    renderer = cache.get("renderer")
    if renderer is None or renderer.images is not images:
        renderer = cache["renderer"] = CertificateRenderer(images)
    return renderer.pdfs([document])[0]


# --- Worker processes of the bulk issue -------------------------------------------------

_pool_renderer: CertificateRenderer | None = None


def pool_init(images: dict) -> None:
    """Runs once in each worker: the cohort's images, shared by all its certificates
    (sent once instead of with every certificate; decoded once per worker)."""
    global _pool_renderer
    import django
    from django.apps import apps

    if not apps.ready:  # a spawned (not forked) worker
        django.setup()
    _pool_renderer = CertificateRenderer(images)


def pool_render(documents: list[dict]) -> list[bytes]:
    """The PDFs of several certificates (one task: fewer round trips to the parent)."""
    return _pool_renderer.pdfs(documents)
