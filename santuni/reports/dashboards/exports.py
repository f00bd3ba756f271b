"""A dashboard table as a CSV or XLSX download, named after the table, its scope and the day.

Exports hold the table's figures only: counts, medians and (for the overdue list) referral
references, never a person's details. No text cell runs as a formula (santuni.lib.spreadsheets):
organisation names come from CBO heads' own edits.
"""

import io
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from santuni.lib.spreadsheets import csv_writer, xlsx_append

from .tables import Scope, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(table: Table, scope: Scope, extension: str) -> str:
    place = slugify(str(scope)) or "malaysia"
    return f"santuni-{table.slug}-{place}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value  # a number, never guarded (a negative one is not a formula)
    return str(value)


def csv_response(table: Table, scope: Scope) -> HttpResponse:
    """UTF-8 with a byte-order mark, which Excel needs to read Malay text correctly."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([_csv_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c) for c in row])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, filename(table, scope, "csv"))


def _xlsx_cell(value):
    if isinstance(value, int | float | Decimal | date) or value is None:
        return value
    return str(value)


def _append(sheet, values) -> None:
    """A row of cells; a name is shown as it is, without the apostrophe the CSV needs."""
    xlsx_append(sheet, [_xlsx_cell(v) for v in values])


def xlsx_response(table: Table, scope: Scope) -> HttpResponse:
    """One sheet of figures (a header row, then numbers as numbers) and one saying what
    they are: the title, the scope, how they were counted and when."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")
    _append(sheet, table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        _append(sheet, row)
    sheet.freeze_panes = "A2"
    for n, column in enumerate(table.columns, start=1):
        widest = max([len(str(column))] + [len(str(r[n - 1])) for r in table.rows[:200]])
        sheet.column_dimensions[get_column_letter(n)].width = min(max(widest + 2, 10), 60)
        for cells in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
            if isinstance(cells[0].value, date):
                cells[0].number_format = "yyyy-mm-dd"
    about = book.create_sheet(_("About"))
    for label, value in (
        (_("Table"), table.title),
        (_("Scope"), str(scope)),
        (_("Note"), table.note),
        (_("Made"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("Source"), "Santuni, Direktori CBO KPWKM"),
    ):
        _append(about, [label, value])
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return _attachment(
        HttpResponse(out.getvalue(), content_type=XLSX), filename(table, scope, "xlsx")
    )
