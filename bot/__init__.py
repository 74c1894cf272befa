"""FieldReport: the Telegram bot for drug-control field units."""

__version__ = "0.1.0"
