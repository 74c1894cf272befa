"""The daily digest: its figures (:mod:`.build`) and its renderings (text, XLSX, chart).

Pure functions over plain values; the Telegram side and the scheduling live elsewhere.
The XLSX and chart modules import openpyxl and matplotlib, so they are imported where used.
"""

from bot.digest.build import build_digest, day_stats
from bot.digest.figures import DayStats, Digest

__all__ = ["DayStats", "Digest", "build_digest", "day_stats"]
