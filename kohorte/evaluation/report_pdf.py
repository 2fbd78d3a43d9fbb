"""The evaluation report as PDF: the page's figures with the method, the sample and
the limitations, rendered by WeasyPrint (PDF/UA, tagged) from
``evaluation/report/report_pdf.html``. Nothing is fetched from outside: the chart is
inline SVG."""

from django.template.loader import render_to_string


def report_pdf(context: dict, *, request=None) -> bytes:
    from weasyprint import HTML  # heavy: loaded when a report is printed
    from weasyprint.urls import URLFetcher

    html = render_to_string("evaluation/report/report_pdf.html", context, request=request)
    fetcher = URLFetcher(allowed_protocols=["data"], timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
