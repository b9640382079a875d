"""The deposits import's template: a Deposits sheet with the header row, a sheet of
open commitments to copy references from, and the instructions."""
from __future__ import annotations

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..export_cells import money_format

# The template's header row: a fixed interchange format, in English whatever the
# user's language (headers in the user's language are understood too).
TEMPLATE_HEADERS = ("Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note",
                    "Bank reference", "Separate transfer note")


def template_workbook(open_commitments) -> Workbook:
    """The import template, listing `open_commitments` ((commitment, donor name) pairs)."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = wb.create_sheet("Deposits")
    for letter, width in zip("ABCDEFGH", (22, 14, 18, 10, 12, 40, 24, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in TEMPLATE_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    refs = wb.create_sheet(_("Open commitments"))
    refs.append([WriteOnlyCell(refs, value=v) for v in (
        _("Commitment"), _("Donor"), _("Currency"), _("Committed"), _("Deposited"), _("Outstanding"))])
    for commitment, donor_name in open_commitments:
        label = commitment.reference or f"#{commitment.id}"
        row = [WriteOnlyCell(refs, value=label), WriteOnlyCell(refs, value=donor_name)]
        for cell in row:
            cell.data_type = "s"
        row.append(WriteOnlyCell(refs, value=commitment.currency))
        for value in (commitment.amount, commitment.deposited, commitment.outstanding):
            cell = WriteOnlyCell(refs, value=value)
            cell.number_format = money_format(commitment.currency)  # as every download's amounts
            row.append(cell)
        refs.append(row)
    notes = wb.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 100
    for line in (
        _("One deposit per row of the Deposits sheet, below the header row."),
        _("Commitment: the commitment's reference, or # and its number (e.g. #12)."),
        _("Value date: a date, or text written YYYY-MM-DD. It may not be in the future."),
        _("Amount: in the commitment's currency, with no more decimals than the currency has."),
        _("Currency (optional): if given, it must be the commitment's currency."),
        _("Rate (optional): units of the currency per US dollar. Leave it empty to use the UN "
          "operational rate of the value date's month; another rate needs a rate note."),
        _("A typed rate may differ from the UN rate of its month, or of the nearest month when its month "
          "has none, by at most the tolerance the administrators set. A currency with no UN rate at all "
          "takes no deposit until its first UN rate is confirmed on the exchange rates page."),
        _("Bank reference: a reference that another deposit already has (compared without case or "
          "spaces) is refused, unless the row says in “Separate transfer note” why it is a separate "
          "transfer."),
        _("Either every row is imported or none: any error and nothing is recorded."),
    ):
        notes.append([line])
    return wb
