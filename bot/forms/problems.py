"""What was wrong with an answer, in the officer's language (the engine names a problem by
its code, bot/forms/parsing.py; here are its words)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from bot.forms.parsing import Problem
from bot.i18n import Translator


def problem_text(problem: Problem, tr: Translator) -> str:
    _ = tr.gettext
    p = problem.params
    code = problem.code
    if code == "number.invalid":
        if p.get("integer"):
            return _("That is not a whole number. Please type digits only, for example 3.")
        return _("That is not a number. Please type it like {example}.").format(
            example=tr.format_number(Decimal("1.5"))
        )
    if code == "number.not_integer":
        return _("Please type a whole number, for example 3.")
    if code == "number.too_precise":
        return tr.ngettext(
            "Please use at most {decimals} digit after the decimal mark.",
            "Please use at most {decimals} digits after the decimal mark.",
            p["decimals"],
        ).format(decimals=p["decimals"])
    if code == "number.too_small":
        return _("The number must be at least {minimum}.").format(
            minimum=tr.format_number(p["minimum"])
        )
    if code == "number.too_large":
        return _("The number must be at most {maximum}.").format(
            maximum=tr.format_number(p["maximum"])
        )
    if code == "text.empty":
        return _("The answer is empty. Please type some text.")
    if code == "text.too_long":
        return tr.ngettext(
            "That is too long: {count} characters, the limit is {limit}. Please shorten it.",
            "That is too long: {count} characters, the limit is {limit}. Please shorten it.",
            p["count"],
        ).format(count=p["count"], limit=p["limit"])
    if code in ("datetime.invalid", "time.invalid"):
        return _(
            "I could not read that date and time. "
            "Please type it as dd.mm.yyyy hh:mm, or hh:mm for today."
        )
    if code == "datetime.future":
        return _("That moment is in the future. Please check the date and time.")
    if code == "datetime.too_old":
        return tr.ngettext(
            "That is more than {days} day ago. Reports this old are not accepted here.",
            "That is more than {days} days ago. Reports this old are not accepted here.",
            p["days"],
        ).format(days=p["days"])
    if code == "datetime.before_start":
        return _("The end cannot be before the start ({start}).").format(
            start=escape(tr.format_datetime(p["start"], "short"))
        )
    if code == "datetime.after_end":
        return _("The start cannot be after the end ({end}).").format(
            end=escape(tr.format_datetime(p["end"], "short"))
        )
    if code == "choice.use_buttons":
        return _("Please choose one of the buttons above.")
    if code == "multi.choose_one":
        return _("Please choose at least one option, then tap “Done”.")
    if code == "photos.send_photo":
        return _("Please send a photo, or tap “Done” or “Skip”.")
    if code == "photos.too_many":
        return tr.ngettext(
            "You can attach at most {limit} photo.",
            "You can attach at most {limit} photos.",
            p["limit"],
        ).format(limit=p["limit"])
    if code == "group.too_many":
        return tr.ngettext(
            "A report can hold at most {limit} item.",
            "A report can hold at most {limit} items.",
            p["limit"],
        ).format(limit=p["limit"])
    if code == "group.empty":
        return _("Please add at least one item.")
    if code == "place.invalid_location":
        return _("That location is not valid. Please share it again or type the place name.")
    if code == "summary.use_buttons":
        return _(
            "Your report is ready to check. Use the buttons under it to change an answer"
            " or file it."
        )
    if code == "summary.incomplete":
        return _("Some required answers are missing. Please fill them in first.")
    if code == "cancel.use_buttons":
        return _("Please answer with the buttons: discard the report or keep it.")
    if code == "input.unexpected_location":
        return _("A location is not an answer to this question.")
    if code == "input.unexpected_photo":
        return _("A photo is not an answer to this question.")
    if code == "input.unsupported":
        return _("I cannot use that here. Please answer the question.")
    return _("That answer cannot be used. Please try again.")
