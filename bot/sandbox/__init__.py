"""The sandbox: the whole bot in a browser, with the stand-in instead of Telegram."""
