"""The evaluation report as PDF (fpdf2: pure Python, no system library). Plain rows in, bytes out.

Same content as the report page: a bar chart of the totals, the table, the evaluators' reasons.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF


def _latin(text: Any) -> str:
    # The core PDF fonts are Latin-1; anything else is shown as "?" rather than failing the export.
    return str(text).replace("–", "-").replace("—", "-").encode("latin-1", "replace").decode("latin-1")


def report_pdf(
    *,
    title: str,
    rows: list[dict[str, Any]],
    reasons: list[dict[str, Any]],
    columns: list[str],
    headers: list[str] | None = None,
) -> bytes:
    """`columns` are the row keys; `headers` what the table shows above them (the reader's language)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(False)  # small documents; uncompressed text is searchable by archives (and tests)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _latin(title), new_x="LMARGIN", new_y="NEXT")

    # Chart: one bar per ranked proposal, length proportional to its total (0-100).
    pdf.set_font("Helvetica", "", 9)
    ranked = [r for r in rows if r["total"] != ""]
    for row in ranked:
        y = pdf.get_y()
        pdf.cell(60, 6, _latin(row["organisation"])[:40])
        width = 150 * float(row["total"]) / 100
        pdf.set_fill_color(47, 109, 164)
        pdf.rect(pdf.l_margin + 62, y + 1, max(width, 0.5), 4, style="F")
        pdf.set_xy(pdf.l_margin + 65 + width, y)
        pdf.cell(20, 6, _latin(row["total"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    widths = [12, 55, 18, 30, 22, 24, 24, 20, 72]
    pdf.set_font("Helvetica", "B", 8)
    for name, width in zip(headers or columns, widths, strict=True):
        pdf.cell(width, 6, _latin(name), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in rows:
        for name, width in zip(columns, widths, strict=True):
            pdf.cell(width, 6, _latin(row[name])[: int(width / 1.6)], border=1)
        pdf.ln()
    if reasons:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, _latin(_("Reasons")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        for item in reasons:
            pdf.multi_cell(
                0,
                5,
                _latin(
                    # Translators: one evaluator's quality score in the PDF evaluation report.
                    _("%(evaluator)s on %(organisation)s, %(criterion)s: %(points)s/10 - %(reason)s") % item
                ),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())
