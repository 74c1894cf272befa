"""The Bot API methods the stand-in serves, a module per family.

Every method takes the request's :class:`~bot.standin.params.Params` and returns the ``result``
value, or raises :class:`~bot.standin.params.ApiError` with Telegram's status and description.
What every family checks the same way (texts, captions, keyboards, replies) and how a bot
message is stored is in :mod:`.base`; the families: :mod:`.messages` (send, edit, delete, copy,
forward), :mod:`.callbacks` (answering a tap), :mod:`.files` (documents, photos, albums,
getFile), :mod:`.webhooks`, :mod:`.menus` (command menus) and :mod:`.chats` (the bot and its
chats). :class:`~bot.standin.api.BotApi` puts them together and names them.
"""
