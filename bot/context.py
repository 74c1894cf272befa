"""The typed context every handler receives, and the Application that carries our services.

Handlers read ``context.services``, ``context.account`` and ``context.tr`` instead of digging
in ``bot_data`` (which PTB persists) with string keys.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot import observability
from bot.config import Settings
from bot.equivalents import WEIGHT_ONLY, Factors, load_factors
from bot.flood import FloodGuard
from bot.i18n import Catalogs, Translator
from bot.reference import load_names
from bot.submission import Filings
from bot.workers import OnePerPerson, Workers
from storage import Database, StoredDraft, User
from storage.alerts import PendingReply
from storage.cipher import remember

JsonDict = dict[str, Any]


@dataclass
class Services:
    """What the handlers need, built once by :func:`bot.app.build_application`."""

    settings: Settings
    catalogs: Catalogs
    flood: FloodGuard = field(default_factory=FloodGuard)
    workers: Workers = field(default_factory=Workers)
    #: Exports and digests on demand running now, by person (one each at a time).
    heavy: OnePerPerson = field(default_factory=OnePerPerson)
    #: The conversion factors in force, for the form's summary (bot/equivalents.py); filing
    #: reads them again in its own transaction, and stores them with the items.
    factors: Factors = WEIGHT_ONLY
    #: Told of each report filed or amended (bot/submission.py); bot/app.py subscribes the
    #: urgent lane, which sends the report's alert.
    filings: Filings = field(default_factory=Filings)
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is opened by Application.initialize()")
        return self._db

    async def open(self) -> None:
        if self._db is None:
            # The key is remembered for the path: the digest's worker processes open it too.
            remember(self.settings.database_path, self.settings.database_key)
            self._db = await Database.open(self.settings.database_path)
            # Agencies' and substances' names as admins corrected them (bot/reference.py).
            await load_names(self._db, self.catalogs)
            self.factors = await load_factors(self._db)

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None


class FieldReportApplication(
    Application[ExtBot[None], "BotContext", JsonDict, JsonDict, JsonDict, JobQueue["BotContext"]]
):
    """PTB's Application plus our services, opened before persistence is loaded."""

    __slots__ = ("services",)

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services

    async def initialize(self) -> None:
        # The database must be open before PTB asks the persistence for its data.
        await self.services.open()
        await super().initialize()

    async def shutdown(self) -> None:
        # The database is closed even when PTB's shutdown fails (an updater that would not
        # stop): its connection thread would otherwise keep the process from ever exiting.
        try:
            await super().shutdown()
        finally:
            await self.services.close()

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        token = observability.OUTCOME.set("ok")
        try:
            await super().process_update(update)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            try:
                observability.log_update(update, observability.OUTCOME.get(), elapsed)
            except Exception:  # a log line must never stop PTB's update loop
                logging.getLogger(__name__).exception("could not log an update")
            observability.OUTCOME.reset(token)


class BotContext(CallbackContext[ExtBot[None], JsonDict, JsonDict, JsonDict]):
    """Context with the account and translator that the gate resolved for this update."""

    __slots__ = ("_account", "_draft", "_pending", "_translator")

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._account: User | None = None
        self._translator: Translator | None = None
        #: The person's draft and pending reply as the gate read them, each in a 1-tuple;
        #: None until then (and once taken).
        self._draft: tuple[StoredDraft | None] | None = None
        self._pending: tuple[PendingReply | None] | None = None

    @property
    def services(self) -> Services:
        app = self.application
        assert isinstance(app, FieldReportApplication)
        return app.services

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def account(self) -> User | None:
        """The registered user behind this update, if any (set by the gate)."""
        return self._account

    @account.setter
    def account(self, value: User | None) -> None:
        self._account = value

    def remember(self, draft: StoredDraft | None, pending: PendingReply | None) -> None:
        """The gate read the person's draft and pending reply (None: they have none) with
        their account."""
        self._draft = (draft,)
        self._pending = (pending,)

    def take_draft(self) -> tuple[StoredDraft | None] | None:
        """The draft the gate read, in a 1-tuple, for one use: a second call (or one before
        the gate ran) gets None, and the caller reads the database.

        The gate's copy may be out of date by the time it is used (a job expiring drafts):
        whoever writes on the strength of it must check it still is (storage/hot_path.py).
        """
        draft, self._draft = self._draft, None
        return draft

    def take_pending(self) -> tuple[PendingReply | None] | None:
        """The pending reply the gate read, in a 1-tuple, for one use (see :meth:`take_draft`).

        Only the person's own updates, which run one after another, set a pending reply: if
        the gate read none, none was set since.
        """
        pending, self._pending = self._pending, None
        return pending

    @property
    def tr(self) -> Translator:
        """The translator in this user's language (the default language until the gate ran)."""
        if self._translator is None:
            return self.services.catalogs.translator(self.settings.default_language)
        return self._translator

    @tr.setter
    def tr(self, value: Translator) -> None:
        self._translator = value
