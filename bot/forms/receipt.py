"""The receipt an officer gets once a report is filed: its number, when, whether it went to
coordinators as urgent (the same words as the summary, ``/myreports`` and the spreadsheet), and
for a seizure its route (what was not given) and where it sits on the map."""

from __future__ import annotations

from html import escape

from bot.forms.definitions import FORMS
from bot.forms.readback import urgency_text
from bot.forms.record_view import record_lines
from bot.i18n import Translator
from bot.urgent import Reason
from storage.models import Report


def receipt_text(report: Report, reason: Reason | None, tr: Translator, *, amended: bool) -> str:
    """The receipt (HTML); ``reason``: why the filed report is urgent, if it is."""
    _ = tr.gettext
    if amended:
        text = _("✅ Report <b>{number}</b> amended (version {version}).").format(
            number=escape(report.number), version=report.version
        )
    else:
        text = _("✅ Report <b>{number}</b> received on {moment}. Thank you!").format(
            number=escape(report.number),
            moment=escape(tr.format_datetime(report.submitted_at, "short")),
        )
    if reason is not None:
        text += "\n<b>{label}:</b> {value}".format(
            label=escape(_("Urgent")), value=urgency_text(reason, tr)
        )
    record = record_lines(FORMS[report.form], report, tr, with_route=True)
    if record:
        text += "\n\n" + "\n".join(record)
    return text
