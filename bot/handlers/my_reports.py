"""/myreports: an officer's own reports, newest first; open, amend within the window, withdraw."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, filing, once
from bot.context import BotContext, FieldReportApplication
from bot.forms.definitions import FORMS
from bot.forms.engine import Draft, ShowSummary
from bot.forms.render import render, summary_lines
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.report import mark_shown, show_draft
from storage import User
from storage.clock import utc_now
from storage.drafts import new_draft_id
from storage.models import Report, ReportStatus

PREFIX = "my"
PAGE_SIZE = 5


async def my_reports_command(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    text, markup = await _page(context, 0)
    await update.effective_chat.send_message(text, reply_markup=markup)


async def _page(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    account = context.account
    assert account is not None
    _ = context.tr.gettext
    async with context.db.read() as repos:
        total = await repos.reports.count_by_author(account.id)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        reports = await repos.reports.list_by_author(
            account.id, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
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
        _("Submitted: {moment}").format(
            moment=escape(context.tr.format_datetime(report.submitted_at, "short"))
        ),
    ]
    if report.version > 1:
        lines.append(_("Amended: version {version}").format(version=report.version))
    if report.status is ReportStatus.WITHDRAWN:
        lines.append("<b>" + _("Withdrawn") + "</b>")
    lines.append("")
    lines += summary_lines(form, report.answers, context.tr, limit=None)
    return "\n".join(lines)


async def _own_report(context: BotContext, account: User, report_id: str) -> Report | None:
    if not report_id.isdigit() or len(report_id) > 18:  # SQLite integers end at 19 digits
        return None
    async with context.db.read() as repos:
        report = await repos.reports.get(int(report_id))
    # Officers see only their own reports; somebody else's is "not found", not "forbidden".
    return report if report is not None and report.author_id == account.id else None


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
    account = context.account
    assert query is not None
    assert account is not None
    _ = context.tr.gettext
    try:
        action, target, page = callbacks.unpack(query.data, PREFIX, 3)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "page" and target.isdigit():
        text, markup = await _page(context, int(target))
        await edit_then_answer(query, text, markup)
        return
    report = await _own_report(context, account, target)
    if report is None:
        await query.answer(_("Report not found."), show_alert=True)
        return
    if action == "open":
        await edit_then_answer(
            query, report_text(context, report), _report_keyboard(context, report, page)
        )
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
    elif action == "wdy":
        async with context.db.transaction() as repos:
            withdrawn = await repos.reports.withdraw(report.id, now=utc_now())
            if withdrawn:
                await repos.audit.add(
                    "report.withdrawn", actor_telegram_id=account.telegram_id, target=report.number
                )
        await edit_then_answer(
            query, _("Report {number} was withdrawn.").format(number=escape(report.number))
        )
    elif action == "amend":
        await _start_amending(update, context, account, report)
    else:
        await stale_button(update, context)


async def _start_amending(
    update: Update, context: BotContext, account: User, report: Report
) -> None:
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    if not filing.can_amend(report, utc_now(), context.settings.amend_window):
        await query.answer(_("This report can no longer be amended."), show_alert=True)
        return
    form = FORMS[report.form]
    draft = Draft(
        draft_id=new_draft_id(),
        form=form.key,
        answers=dict(report.answers),
        amends=report.id,
        amends_number=report.number,
    )
    async with context.db.transaction() as repos:
        repeat = not await once.first_time(repos, update, utc_now())
        existing = await repos.drafts.get(account.id)
        if existing is None:
            await repos.drafts.save(
                account.id,
                draft_id=draft.draft_id,
                form=form.key,
                data=draft.to_json(),
                now=utc_now(),
            )
    if existing is not None and repeat:
        # The same tap again (redelivered after a crash): show the draft it started.
        await show_draft(query, context, account, existing)
        return
    if existing is not None:
        await query.answer(_("Finish or discard your unfinished report first."), show_alert=True)
        return
    text, markup = render(form, draft, ShowSummary(), context.tr)
    await edit_then_answer(query, text, markup)
    await mark_shown(context, account, draft, None)


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("myreports", my_reports_command))
    application.add_handler(CallbackQueryHandler(my_reports_tap, pattern=callbacks.pattern(PREFIX)))
