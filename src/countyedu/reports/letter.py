"""A candidate's admission letter (issue 14 item 3) as one self-contained HTML page or an A4 PDF,
laid out by the report renderers (their environment, style and PDF engine) from the answer's block."""

from __future__ import annotations

from countyedu.reports.html import _lang, environment
from countyedu.runs.blocks import Block


def letter_html(
    block: Block, *, lang: str, title: str, county: str, year_label: str, footer: str, synthetic: str = ""
) -> str:
    """The letter of one candidate: `block` already in words of `lang` (its paragraphs and why-not table)."""
    token = _lang.set(lang)
    try:
        return (
            environment()
            .get_template("letter.html")
            .render(
                block=block,
                lang=lang,
                title=title,
                county=county,
                year_label=year_label,
                footer=footer,
                synthetic=synthetic,
            )
        )
    finally:
        _lang.reset(token)


def letter_pdf(html: str) -> bytes:
    """The letter as A4 PDF bytes (WeasyPrint, no network: only data: URIs are fetched)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    data = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    assert data is not None
    return bytes(data)
