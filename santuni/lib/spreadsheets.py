"""Cells of the CSV and XLSX files people open in a spreadsheet: text never runs as a formula.

A spreadsheet runs a cell that starts with = + - @ (or a tab or a carriage return) as a
formula: `=HYPERLINK(...)` typed as a listing's name would become a link, or worse, in the
file an officer opens. Every writer of such files goes through here:

- CSV: such text gets an apostrophe before it (OWASP's advice), which a spreadsheet shows
  as text. Text already starting with apostrophes and then a formula start gets one more,
  so that `unguarded` gives back exactly what was written: the HSDS importer reads our own
  packages back (a phone number "+60..." leaves as "'+60..." and comes back as it was).
- XLSX: text is a text cell, shown as it is (openpyxl would store "=..." as a formula).

Numbers, dates and booleans are left as they are: a negative number is not text.
"""

import csv
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(value):
    """The value for a CSV cell: text that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguarded(text: str) -> str:
    """A CSV cell's text as it was before `guarded`."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


class _GuardedWriter:
    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        return self.writer.writerow([guarded(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **options) -> _GuardedWriter:
    """`csv.writer` whose every text cell is `guarded`."""
    return _GuardedWriter(csv.writer(stream, **options))


def xlsx_append(sheet, values) -> None:
    """A row of an openpyxl sheet; its text cells stay text, whatever they start with."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
