"""Scripted people tap faster than any person: lifting the flood limit for a long walk."""

from __future__ import annotations

from bot.context import FieldReportApplication
from bot.flood import FloodGuard


def unhurried(app: FieldReportApplication) -> None:
    """A scripted officer or admin taps faster than any person: lift the flood limit for a long
    walk."""
    app.services.flood = FloodGuard(limit=1000)
