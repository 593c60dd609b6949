"""The report as an A4 PDF: the HTML report laid out by WeasyPrint with the Noto CJK fonts."""

from __future__ import annotations

from pathlib import Path

from countyedu.reports.html import render_html
from countyedu.reports.model import Report


def pdf_bytes(report: Report, html: str | None = None) -> bytes:
    """The report as PDF bytes, from its HTML (rendered here unless given); A4 by the CSS @page rules."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment
    from weasyprint.urls import URLFetcher

    # Only data: URIs may be fetched: a report is self-contained and never touches the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    data = HTML(string=html or render_html(report), url_fetcher=fetcher).write_pdf()
    assert data is not None
    return bytes(data)


def write_pdf(report: Report, path: str | Path, html: str | None = None) -> Path:
    """Write the report as an A4 PDF."""
    path = Path(path)
    path.write_bytes(pdf_bytes(report, html))
    return path
