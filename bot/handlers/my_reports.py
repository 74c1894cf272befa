"""/myreports: an officer's own reports, newest first; open, amend within the window, withdraw."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, filing, once, own_reports
from bot.authority import Denial, Refused
from bot.context import BotContext, FieldReportApplication
from bot.equivalents import kept_factors
from bot.forms.definitions import FORMS
from bot.forms.readback import summary_lines
from bot.forms.record_view import record_lines
from bot.forms.state import Draft
from bot.handlers.common import answer_if_still_open, edit_then_answer, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.handlers.report.draft_view import show_draft, show_summary
from bot.handlers.screens import edit_screen
from bot.retention import removed_answers
from bot.urgent import why_urgent
from storage.clock import utc_now
from storage.drafts import new_draft_id
from storage.models import Report, ReportStatus

PREFIX = "my"
PAGE_SIZE = 5


async def my_reports_command(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    shown = await _page(context, 0, actor_id(update))
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await update.effective_chat.send_message(text, reply_markup=markup)


async def _page(
    context: BotContext, page: int, actor: int | None
) -> tuple[str, InlineKeyboardMarkup | None] | Refused:
    _ = context.tr.gettext
    async with context.db.transaction() as repos:
        found = await own_reports.page_of(repos, actor, page, PAGE_SIZE)
    if isinstance(found, Refused):
        return found
    total, pages, page, reports = found.total, found.pages, found.page, found.reports
    if total == 0:
        return _("You have not filed any reports yet. Send /report to file one."), None
    header = context.tr.ngettext(
        "You have filed {count} report.", "You have filed {count} reports.", total
    ).format(count=total)
    if pages > 1:
        header += " " + _("Page {page} of {pages}.").format(page=page + 1, pages=pages)
    keyboard = [
        [
            InlineKeyboardButton(
                _report_line(context, r), callback_data=callbacks.pack(PREFIX, "open", r.id, page)
            )
        ]
        for r in reports
    ]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                "◀ " + _("Newer"), callback_data=callbacks.pack(PREFIX, "page", page - 1, 0)
            )
        )
    if page < pages - 1:
        navigation.append(
            InlineKeyboardButton(
                _("Older") + " ▶", callback_data=callbacks.pack(PREFIX, "page", page + 1, 0)
            )
        )
    if navigation:
        keyboard.append(navigation)
    return header, InlineKeyboardMarkup(keyboard)


def _report_line(context: BotContext, report: Report) -> str:
    _ = context.tr.gettext
    line = "{number} · {form} · {date}".format(
        number=report.number,
        form=_(FORMS[report.form].title),
        date=context.tr.format_datetime(report.submitted_at, "short"),
    )
    if report.status is ReportStatus.WITHDRAWN:
        line = "✖ " + line
    return line


def report_text(context: BotContext, report: Report) -> str:
    _ = context.tr.gettext
    form = FORMS[report.form]
    lines = [
        f"<b>{escape(report.number)}</b> · {escape(_(form.title))}",
        _("Filed: {moment}").format(
            moment=escape(context.tr.format_datetime(report.submitted_at, "short"))
        ),
    ]
    if report.version > 1:
        lines.append(_("Amended: version {version}").format(version=report.version))
    if report.status is ReportStatus.WITHDRAWN:
        lines.append("<b>" + _("Withdrawn") + "</b>")
    lines.append("")
    lines += summary_lines(
        form,
        report.answers,
        context.tr,
        limit=None,
        urgency=why_urgent(report, context.settings.urgent_threshold_kg),
        omit=(form.route_fields or ()) if report.route is None else (),
        removed=removed_answers(report, context.tr),
    )
    record = record_lines(form, report, context.tr, with_route=False)
    if record:
        lines += ["", *record]
    return "\n".join(lines)


def _report_id(text: str) -> int | None:
    # SQLite integers end at 19 digits.
    return int(text) if text.isdigit() and len(text) <= 18 else None


async def _refused_or_missing(
    update: Update, context: BotContext, found: object, *, missing: str | None = None
) -> bool:
    """Answer a refusal or a missing report; True when the tap is answered so."""
    query = update.callback_query
    assert query is not None
    not_found = context.tr.gettext("Report not found.")
    # Officers see only their own reports; somebody else's is "not found", not "forbidden".
    if isinstance(found, Refused) and found.denial is Denial.NOT_OWNER:
        await query.answer(not_found, show_alert=True)
        return True
    if found is None:
        await query.answer(missing or not_found, show_alert=True)
        return True
    if isinstance(found, Refused):
        await tell_refused(update, context, found)
        return True
    return False


def _report_keyboard(context: BotContext, report: Report, page: str) -> InlineKeyboardMarkup:
    _ = context.tr.gettext
    buttons = []
    if filing.can_amend(report, utc_now(), context.settings.amend_window):
        buttons.append(
            InlineKeyboardButton(
                "✏️ " + _("Amend"), callback_data=callbacks.pack(PREFIX, "amend", report.id, page)
            )
        )
    if report.status is ReportStatus.SUBMITTED:
        buttons.append(
            InlineKeyboardButton(
                "🗑 " + _("Withdraw"), callback_data=callbacks.pack(PREFIX, "wd", report.id, page)
            )
        )
    back = InlineKeyboardButton(
        "◀ " + _("Back to the list"), callback_data=callbacks.pack(PREFIX, "page", page, 0)
    )
    return InlineKeyboardMarkup([buttons, [back]] if buttons else [[back]])


async def my_reports_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    try:
        action, target, page = callbacks.unpack(query.data, PREFIX, 3)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "page" and target.isdigit():
        shown = await _page(context, int(target), actor_id(update))
        if isinstance(shown, Refused):
            await tell_refused(update, context, shown)
        else:
            await edit_then_answer(query, *shown)
        return
    report_id = _report_id(target)
    if report_id is None:
        await query.answer(_("Report not found."), show_alert=True)
        return
    if action == "amend":
        await _start_amending(update, context, report_id)
        return
    if action not in ("open", "wd", "wdy"):
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        if action == "wdy":
            done = await own_reports.withdraw(repos, actor_id(update), report_id, now=utc_now())
            found = done[0] if isinstance(done, tuple) else done
        else:
            found = await own_reports.own(repos, actor_id(update), report_id)
    if await _refused_or_missing(update, context, found):
        return
    assert isinstance(found, own_reports.Own)
    report = found.report
    if action == "open":
        # A report of long answers is longer than one message: it continues in new messages,
        # its buttons on the last (Telegram refuses a text over 4,096 characters).
        chat = update.effective_chat
        assert chat is not None
        await edit_screen(
            query, chat, report_text(context, report), _report_keyboard(context, report, page)
        )
        await answer_if_still_open(query)
    elif action == "wd":
        await edit_then_answer(
            query,
            _("Withdraw report {number}? It stays on record, marked as withdrawn.").format(
                number=escape(report.number)
            ),
            InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("Yes, withdraw"),
                            callback_data=callbacks.pack(PREFIX, "wdy", report.id, page),
                        ),
                        InlineKeyboardButton(
                            _("No"), callback_data=callbacks.pack(PREFIX, "open", report.id, page)
                        ),
                    ]
                ]
            ),
        )
    else:
        await edit_then_answer(
            query, _("Report {number} was withdrawn.").format(number=escape(report.number))
        )


async def _start_amending(update: Update, context: BotContext, report_id: int) -> None:
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    existing = None
    draft: Draft | None = None
    async with context.db.transaction() as repos:
        found = await own_reports.amendable(
            repos, actor_id(update), report_id, now=utc_now(), window=context.settings.amend_window
        )
        if isinstance(found, own_reports.Own):
            report = found.report
            draft = Draft(
                draft_id=new_draft_id(),
                form=report.form,
                answers=dict(report.answers),
                amends=report.id,
                amends_number=report.number,
                kept_factors=kept_factors(report.items),
            )
            repeat = not await once.first_time(repos, update, utc_now())
            existing = await repos.drafts.get(found.actor.id)
            if existing is None:
                await repos.drafts.save(
                    found.actor.id,
                    draft_id=draft.draft_id,
                    form=report.form,
                    data=draft.to_json(),
                    now=utc_now(),
                )
    if await _refused_or_missing(
        update, context, found, missing=_("This report can no longer be amended.")
    ):
        return
    assert isinstance(found, own_reports.Own)
    if existing is not None and repeat:
        # The same tap again (redelivered after a crash): show the draft it started.
        await show_draft(query, context, found.actor, existing)
        return
    if existing is not None:
        await query.answer(_("Finish or discard your unfinished report first."), show_alert=True)
        return
    assert draft is not None
    await show_summary(query, context, found.actor, draft)


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("myreports", my_reports_command))
    application.add_handler(CallbackQueryHandler(my_reports_tap, pattern=callbacks.pattern(PREFIX)))
