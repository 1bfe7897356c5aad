"""Wiring: settings -> database, policy, router (shared by every adapter and CLI command)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.delivery import Delivery
from handlers.context import Policy
from handlers.router import Router
from storage.db import Database
from storage.models import Ring

log = logging.getLogger(__name__)


def policy_from(settings: Settings) -> Policy:
    """The handler-facing subset of the settings."""
    return Policy(
        language=settings.SAMEN_LANGUAGE,
        timezone=settings.timezone,
        leaders=settings.leaders,
        default_ring=Ring(settings.SAMEN_DEFAULT_RING),
        digest_channels=settings.digest_channels,
        prompt_followup_days=settings.SAMEN_PROMPT_FOLLOWUP_DAYS,
        quiet_weeks=settings.SAMEN_QUIET_WEEKS,
        maatjes_schedule=settings.maatjes_schedule,
    )


@dataclass
class App:
    """One running bot: its settings, store, policy and router."""

    settings: Settings
    database: Database
    policy: Policy
    router: Router
    delivery: Delivery

    async def close(self) -> None:
        await self.database.close()


def ensure_database(settings: Settings, *, auto_upgrade: bool | None = None) -> None:
    """Bring the schema to head (SQLite, or when asked) or refuse with one clear line."""
    from storage.db import is_sqlite
    from storage.migrate import ensure_schema

    upgrade = is_sqlite(settings.SAMEN_DATABASE_URL) if auto_upgrade is None else auto_upgrade
    ensure_schema(settings.SAMEN_DATABASE_URL, auto_upgrade=upgrade)


def build_app(settings: Settings) -> App:
    """Create the store and router for these settings (the schema must be current)."""
    database = Database(settings.SAMEN_DATABASE_URL, sqlite_mmap_mb=settings.SAMEN_SQLITE_MMAP_MB)
    policy = policy_from(settings)
    return App(settings, database, policy, Router(database, policy), Delivery(database))
