"""One PDF helper: template → HTML → WeasyPrint → bytes.

WeasyPrint runs with a URL fetcher that serves only the app's own static files and the images generated for
the document in hand; every other address — the network, ``file:`` paths, ``data:`` URLs — is refused and
noted, so text a user typed can never make the server fetch anything. Templates refer to static files with
``pdf_static('css/pdf.css')`` and to generated images with ``pdf_image('name')``.

Documents meant to be kept (the evidence pack) are written as ``ARCHIVAL`` PDFs: PDF/A-3a, the archival
standard that allows embedded files (the evidence attachments) and whose level "a" requires a tagged,
Unicode document, declared PDF/UA-1 as well. WeasyPrint writes one ``pdf_variant``; its ``pdf/ua-1`` variant
is exactly tags + PDF 1.7 + the ``pdfuaid:part`` identifier, all of which ``pdf/a-3a`` already writes except
the identifier, which is added to the XMP metadata here.
"""

import mimetypes
import os
from dataclasses import dataclass, field
from importlib.resources import files
from io import BytesIO

from flask import current_app, render_template
from weasyprint import HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

#: The document's base address; ``.invalid`` never resolves (RFC 2606), so nothing can leak to a real host.
BASE_URL = "https://fideliza.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
GENERATED_PREFIX = BASE_URL + "generated/"
#: Archivable (PDF/A-3a: attachments allowed), tagged and declared accessible (PDF/UA-1).
ARCHIVAL = "pdf/a-3a+ua-1"
#: The box a figure gets on a landscape A4 page (``.plan`` in static/css/pdf.css: 267 × 166 mm under its caption),
#: in points, and the smallest text that still reads in print: maps and diagrams are drawn for them.
FIGURE_WIDTH_PT, FIGURE_HEIGHT_PT = 267 / 25.4 * 72, 166 / 25.4 * 72
MIN_PRINT_PT = 7.0
_UA1_IDENTIFIER = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                   b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
                   b' pdfuaid:part="1"/></rdf:RDF>')


class AppOnlyFetcher(URLFetcher):
    """Serves ``static/`` files and this document's generated images; refuses (and records) everything else."""

    def __init__(self, static_folder: str, images: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allowed_protocols=())
        self.static_folder = static_folder
        self.images = images or {}
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        path = url.split("#", 1)[0].split("?", 1)[0]
        if path.startswith(STATIC_PREFIX):
            found = safe_join(self.static_folder, path[len(STATIC_PREFIX):])
            if found and os.path.isfile(found):
                with open(found, "rb") as handle:
                    body = handle.read()
                self.served.append(url)
                kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": kind})
        elif path.startswith(GENERATED_PREFIX) and path[len(GENERATED_PREFIX):] in self.images:
            body, kind = self.images[path[len(GENERATED_PREFIX):]]
            self.served.append(url)
            return URLFetcherResponse(url, body, {"Content-Type": kind})
        self.refused.append(url)
        raise ValueError(f"Refused to fetch {url[:200]}: PDFs only use the app's own files")


@dataclass
class PdfFile:
    """A file embedded in the PDF as an attachment."""

    name: str
    data: bytes
    description: str | None = None


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    refused: list[str] = field(default_factory=list)


def pdf_static(filename: str) -> str:
    return STATIC_PREFIX + filename


def pdf_image(name: str) -> str:
    return GENERATED_PREFIX + name


def render_html(template: str, **context) -> str:
    """The document's HTML, with the helpers PDF templates use."""
    return render_template(template, pdf_static=pdf_static, pdf_image=pdf_image, **context)


def html_to_pdf(html: str, *, attachments: list[PdfFile] = (), images: dict | None = None,
                on_laid_out=None, variant: str | None = None) -> RenderedPdf:
    """Typeset ``html`` with WeasyPrint; ``on_laid_out(pages)`` is called between layout and writing.

    ``variant`` is a WeasyPrint ``pdf_variant`` (``pdf/a-3b``, ``pdf/ua-1``…) or ``ARCHIVAL``."""
    fetcher = AppOnlyFetcher(current_app.static_folder, images)
    options = {}
    if variant is not None:
        options = {"pdf_variant": "pdf/a-3a" if variant == ARCHIVAL else variant, **_output_intent()}
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(**options)
    if variant == ARCHIVAL:
        document.metadata.xmp_metadata.append(_UA1_IDENTIFIER)
    if on_laid_out:
        on_laid_out(len(document.pages))
    embedded = [Attachment(file_obj=BytesIO(item.data), name=item.name, description=item.description,
                           url_fetcher=fetcher) for item in attachments]
    data = document.write_pdf(attachments=embedded, pdf_variant=options.get("pdf_variant"),
                              output_intent=options.get("output_intent"))
    return RenderedPdf(data, len(document.pages), fetcher.refused)


def _output_intent() -> dict:
    """The sRGB output intent PDF/A asks for. WeasyPrint's own (``output_intent="srgb"``) leaves its ICC file
    open (a ResourceWarning); this reads the same profile, shipped with WeasyPrint, and closes it."""
    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as handle:
        profile = ColorProfile(handle, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))
    return {"color_profiles": {"fideliza-srgb": profile}, "output_intent": "fideliza-srgb"}


def render_pdf(template: str, *, attachments: list[PdfFile] = (), images: dict | None = None,
               **context) -> RenderedPdf:
    """A template as a PDF."""
    return html_to_pdf(render_html(template, **context), attachments=attachments, images=images)
