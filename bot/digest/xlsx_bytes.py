"""A workbook's bytes made in memory only.

openpyxl's ``Workbook.save`` writes each sheet's XML (every report's text, names and case
numbers) to a temporary file in /tmp first, zips it and removes it: on the server's disk,
beside a database encrypted so that the disk reveals nothing, the removed file's blocks stay
readable, and a worker killed while saving (it dies with the bot) leaves the file whole. Here
each sheet is written to a buffer instead; the rest is openpyxl's own writer.
"""

from __future__ import annotations

import datetime
from io import BufferedWriter, BytesIO
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter


class _InMemoryExcelWriter(ExcelWriter):
    """openpyxl 3.1's ``ExcelWriter.write_worksheet``, the sheet's XML kept in a buffer."""

    def __init__(self, workbook: Workbook, archive: ZipFile) -> None:
        super().__init__(workbook, archive)
        self._zip = archive

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()  # type: ignore[attr-defined]
        ws._drawing.charts = ws._charts  # type: ignore[attr-defined]
        ws._drawing.images = ws._images  # type: ignore[attr-defined]
        # Buffered, as a file would be: ElementTree's writer over a bare BytesIO costs ~15 %
        # more per sheet (measured on the 10,000-item export).
        sheet = BytesIO()
        buffered = BufferedWriter(sheet)
        writer = WorksheetWriter(ws, out=buffered)
        writer.write()
        writer.close()
        buffered.flush()
        ws._rels = writer._rels  # type: ignore[attr-defined]
        self._zip.writestr(ws.path[1:], sheet.getvalue())
        self.manifest.append(ws)


def workbook_bytes(workbook: Workbook) -> bytes:
    """What ``workbook.save`` would write, never touching the disk."""
    buffer = BytesIO()
    archive = ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True)
    workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    _InMemoryExcelWriter(workbook, archive).save()  # closes the archive
    return buffer.getvalue()
