"""One PDF helper: template → HTML → WeasyPrint → bytes.

WeasyPrint runs with a URL fetcher that serves only the app's own static files and the images generated for
the document in hand; every other address — the network, ``file:`` paths, ``data:`` URLs — is refused and
noted, so text a user typed can never make the server fetch anything. Templates refer to static files with
``pdf_static('css/pdf.css')`` and to generated images with ``pdf_image('name')``.
"""

import mimetypes
import os
from dataclasses import dataclass, field
from io import BytesIO

from flask import current_app, render_template
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

#: The document's base address; ``.invalid`` never resolves (RFC 2606), so nothing can leak to a real host.
BASE_URL = "https://fideliza.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
GENERATED_PREFIX = BASE_URL + "generated/"


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
                on_laid_out=None) -> RenderedPdf:
    """Typeset ``html`` with WeasyPrint; ``on_laid_out(pages)`` is called between layout and writing."""
    fetcher = AppOnlyFetcher(current_app.static_folder, images)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    if on_laid_out:
        on_laid_out(len(document.pages))
    files = [Attachment(file_obj=BytesIO(item.data), name=item.name, description=item.description,
                        url_fetcher=fetcher) for item in attachments]
    data = document.write_pdf(attachments=files)
    return RenderedPdf(data, len(document.pages), fetcher.refused)


def render_pdf(template: str, *, attachments: list[PdfFile] = (), images: dict | None = None,
               **context) -> RenderedPdf:
    """A template as a PDF."""
    return html_to_pdf(render_html(template, **context), attachments=attachments, images=images)
