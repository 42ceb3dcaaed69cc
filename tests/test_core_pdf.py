"""The PDF helper: WeasyPrint fetches only the app's own static files and the document's generated images;
hostile user text is escaped and makes nothing be fetched."""

import subprocess

import pytest
from flask import render_template_string

from core.pdf import AppOnlyFetcher, PdfFile, html_to_pdf, pdf_static

HOSTILE = ('<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://127.0.0.1:9/x"> '
           '<iframe src="file:///etc/shadow"></iframe>')


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture
def fetches(monkeypatch):
    """Every URL any fetcher was asked for, served or refused."""
    asked = []
    original = AppOnlyFetcher.fetch

    def recording(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AppOnlyFetcher, "fetch", recording)
    return asked


def test_hostile_user_text_is_escaped_and_nothing_is_fetched(app, fetches):
    with app.test_request_context("/"):
        html = render_template_string(
            '<html><head><link rel="stylesheet" href="{{ pdf_static("css/pdf.css") }}"></head>'
            "<body><h2>Note</h2><p>{{ note }}</p></body></html>", note=HOSTILE, pdf_static=pdf_static)
        rendered = html_to_pdf(html)
    assert fetches == ["https://fideliza.invalid/static/css/pdf.css"]  # the stylesheet, and nothing else
    assert rendered.refused == []
    text = pdf_text(rendered.data)
    assert '<img src="file:///etc/passwd">' in text
    assert "127.0.0.1:9/x" in text and "<iframe" in text
    assert "root:" not in text


def test_markup_that_reaches_weasyprint_is_refused_not_fetched(app, fetches):
    """Even raw markup (should a template ever mark user text safe) cannot read files or reach the network."""
    html = f"<html><body><p>before</p>{HOSTILE}<img src='data:image/png;base64,iVBORw0KGgo='><p>after</p></body></html>"
    with app.app_context():
        rendered = html_to_pdf(html)
    assert set(rendered.refused) == {"file:///etc/passwd", "http://127.0.0.1:9/x", "data:image/png;base64,iVBORw0KGgo="}
    assert "file:///etc/shadow" not in fetches  # iframes are never loaded at all
    text = pdf_text(rendered.data)
    assert "before" in text and "after" in text and "root:" not in text


def test_static_files_outside_the_static_folder_are_refused(app):
    with app.app_context():
        fetcher = AppOnlyFetcher(app.static_folder)
        with pytest.raises(ValueError):
            fetcher.fetch("https://fideliza.invalid/static/../app.py")
        with pytest.raises(ValueError):
            fetcher.fetch("https://fideliza.invalid/generated/unknown")
        assert fetcher.fetch(pdf_static("css/pdf.css")).read().startswith(b"/*")
        generated = AppOnlyFetcher(app.static_folder, {"chart": (b"<svg/>", "image/svg+xml")})
        assert generated.fetch("https://fideliza.invalid/generated/chart").read() == b"<svg/>"


def test_attachments_are_embedded(app, tmp_path):
    with app.test_request_context("/"):
        html = "<p>x</p>"
        rendered = html_to_pdf(html, attachments=[PdfFile("minutes.txt", b"hello", "Minutes")])
    path = tmp_path / "x.pdf"
    path.write_bytes(rendered.data)
    listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, check=True).stdout.decode()
    assert "minutes.txt" in listing
    assert rendered.pages == 1
