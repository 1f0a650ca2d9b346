"""PDF report (A4, Chinese fonts embedded) rendered from the HTML report by WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from junheng.evaluate import Evaluation
from junheng.report.html import render_evaluation_html


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing on this machine."""


def write_evaluation_pdf(ev: Evaluation, path: str | Path, lang: str = "zh") -> Path:
    """Write the evaluation report as PDF. Fonts actually used are subset and embedded.

    Chinese text needs a CJK font on the machine (Debian: ``fonts-noto-cjk``).
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango/cairo libraries not found
        raise PdfUnavailable(str(exc)) from exc
    path = Path(path)
    HTML(string=render_evaluation_html(ev, lang), base_url=str(path.parent)).write_pdf(path)
    return path
