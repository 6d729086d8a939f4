"""CSV downloads for every report: one way to write them."""
from __future__ import annotations

import csv
import io

from flask import Response, stream_with_context

from models.csv_cells import csv_cell

BLOCK = 2000        # rows written per piece of the response


def csv_response(filename: str, header: list[str], rows) -> Response:
    """`rows` may be a generator over a query (`yield_per`): the file goes out in pieces as it is read, so a
    month's bills of a million service points never sit in memory whole."""
    def pieces():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([csv_cell(h) for h in header])
        for n, row in enumerate(rows, start=1):
            writer.writerow([csv_cell(v) for v in row])
            if n % BLOCK == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()
    return Response(stream_with_context(pieces()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def pdf_response(filename: str, title: str, subtitle: str, header: list[str], rows) -> Response:
    """A landscape A4 table with the title, the selection and the print time; pages repeat the header."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    table = Table([header, *[[("" if v is None else str(v)) for v in row] for row in rows]], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 7), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#343a40")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")])]))
    document.build([Paragraph(title, styles["Title"]), Paragraph(subtitle, styles["Normal"]), Spacer(1, 4 * mm),
                    table])
    return Response(buffer.getvalue(), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
