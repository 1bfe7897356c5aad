"""Settings from the environment or `.env` (pydantic-settings); a bad value names its key."""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import SQLITE_MMAP_MB
from storage.models import Ring

PLATFORMS = ("slack", "discord", "console")


def default_database_url() -> str:
    """`samen.db` in the user's data folder: the same database whatever folder the bot is
    started from."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('samen-bot', appauthor=False) / 'samen.db'}"


FEED_TOKEN_MIN = 24  # characters of SAMEN_AGENDA_FEED_TOKEN


class ConfigError(SystemExit):
    """Start-up stops with one line naming the key that is wrong."""


def _platform_pairs(value: str, key: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        platform, sep, ident = item.partition(":")
        if not sep or platform not in PLATFORMS or not ident.strip():
            raise ValueError(
                f"{item!r} is not platform:id (platform one of {', '.join(PLATFORMS)})"
            )
        pairs.append((platform, ident.strip()))
    return tuple(pairs)


MAATJES_DEFAULT = "0 10 1-7 * mon"  # the first Monday of the month, 10:00 (fields are ANDed)
MAATJES_OFF = ("", "uit", "off", "nee", "no")


class Settings(BaseSettings):
    """Every key of CONTRACT.md; see .env.example for what each means."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    SAMEN_DATABASE_URL: str = Field(default_factory=default_database_url)
    SAMEN_TIMEZONE: str = "Europe/Amsterdam"
    SAMEN_LANGUAGE: str = "nl"
    SAMEN_LEADERS: str = ""
    SAMEN_DIGEST_SCHEDULE: str = "0 16 * * fri"
    SAMEN_DIGEST_CHANNEL: str = ""
    SAMEN_DEFAULT_RING: str = Ring.KENNISKRING.value
    SAMEN_PROMPT_FOLLOWUP_DAYS: int = 5
    SAMEN_QUIET_WEEKS: int = 3
    SAMEN_MAATJES_SCHEDULE: str = MAATJES_DEFAULT
    SLACK_BOT_TOKEN: str = ""
    SLACK_SIGNING_SECRET: str = ""
    SLACK_APP_TOKEN: str = ""
    SLACK_API_URL: str = ""
    DISCORD_API_URL: str = ""
    DISCORD_GATEWAY_URL: str = ""
    DISCORD_BOT_TOKEN: str = ""
    DISCORD_GUILD_ID: str = ""
    # Operations (issue 16, docs/operations.md):
    SAMEN_HTTP_HOST: str = "127.0.0.1"
    SAMEN_HTTP_PORT: str = ""  # empty: no /healthz, /readyz, /metrics server
    SAMEN_LOG_FORMAT: str = "plain"
    SAMEN_STOP_TIMEOUT: float = 20.0
    SAMEN_AGENDA_FEED_TOKEN: str = ""  # empty: no agenda feed (docs/operations.md)
    SAMEN_SQLITE_MMAP_MB: int = SQLITE_MMAP_MB

    @field_validator("SAMEN_DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url

        if not value.strip():
            return default_database_url()
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {value!r}") from exc
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"use sqlite:///… or postgresql+psycopg://…, not {backend}")
        return value

    @field_validator("SAMEN_TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("SAMEN_LANGUAGE")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("nl", "en"):
            raise ValueError(f"use nl or en, not {value!r}")
        return value

    @field_validator("SAMEN_LEADERS", "SAMEN_DIGEST_CHANNEL")
    @classmethod
    def _pairs(cls, value: str) -> str:
        _platform_pairs(value, "")
        return value

    @field_validator("SAMEN_DEFAULT_RING")
    @classmethod
    def _ring(cls, value: str) -> str:
        if value == Ring.BUITENWERELD.value:
            raise ValueError(
                "buitenwereld is refused: a learning reaches the buitenwereld only with its "
                "writer's consent; use kenniskring or proeftuin"
            )
        if value not in {r.value for r in Ring}:
            raise ValueError(f"use kenniskring or proeftuin, not {value!r}")
        return value

    @field_validator("SAMEN_DIGEST_SCHEDULE")
    @classmethod
    def _cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a crontab line ({exc})") from exc
        return value

    @field_validator("SAMEN_MAATJES_SCHEDULE")
    @classmethod
    def _maatjes(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        value = value.strip()
        if value.lower() in MAATJES_OFF:
            return ""
        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a crontab line, nor uit/off ({exc})") from exc
        return value

    @property
    def maatjes_schedule(self) -> str:
        """The crontab of the maatjes rounds; empty when they are off."""
        return self.SAMEN_MAATJES_SCHEDULE

    @field_validator("SAMEN_PROMPT_FOLLOWUP_DAYS")
    @classmethod
    def _followup(cls, value: int) -> int:
        if not 1 <= value <= 60:
            raise ValueError("use a number of days from 1 to 60")
        return value

    @field_validator("SAMEN_QUIET_WEEKS")
    @classmethod
    def _quiet(cls, value: int) -> int:
        if not 1 <= value <= 52:
            raise ValueError("use a number of weeks from 1 to 52")
        return value

    @field_validator("SAMEN_HTTP_PORT")
    @classmethod
    def _http_port(cls, value: str) -> str:
        value = value.strip()
        if value and not (value.isdigit() and 0 <= int(value) <= 65535):
            raise ValueError(f"use a port from 0 to 65535 (or leave it empty), not {value!r}")
        return value

    @field_validator("SAMEN_LOG_FORMAT")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in ("plain", "json"):
            raise ValueError(f"use plain or json, not {value!r}")
        return value

    @field_validator("SAMEN_AGENDA_FEED_TOKEN")
    @classmethod
    def _feed_token(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if len(value) < FEED_TOKEN_MIN:
            raise ValueError(
                f"use at least {FEED_TOKEN_MIN} characters (it is the secret in the feed's URL;"
                " make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'),"
                " or leave it empty to switch the agenda feed off"
            )
        if not all(c.isascii() and (c.isalnum() or c in "-_.~") for c in value):
            raise ValueError("use only letters, digits and - _ . ~ (it goes into a URL)")
        return value

    @field_validator("SAMEN_STOP_TIMEOUT")
    @classmethod
    def _stop_timeout(cls, value: float) -> float:
        if not 1 <= value <= 600:
            raise ValueError("use a number of seconds from 1 to 600")
        return value

    @field_validator("SAMEN_SQLITE_MMAP_MB")
    @classmethod
    def _sqlite_mmap(cls, value: int) -> int:
        if not 0 <= value <= 65536:
            raise ValueError("use a number of MB from 0 (no memory map) to 65536")
        return value

    @property
    def http_port(self) -> int | None:
        """The port of the operator's endpoints, or None when they are off."""
        return int(self.SAMEN_HTTP_PORT) if self.SAMEN_HTTP_PORT else None

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.SAMEN_TIMEZONE)

    @cached_property
    def leaders(self) -> frozenset[str]:
        """Leader ids as `platform:user`."""
        return frozenset(f"{p}:{u}" for p, u in _platform_pairs(self.SAMEN_LEADERS, ""))

    @cached_property
    def digest_channels(self) -> tuple[tuple[str, str], ...]:
        return _platform_pairs(self.SAMEN_DIGEST_CHANNEL, "")

    @property
    def slack_enabled(self) -> bool:
        return bool(self.SLACK_BOT_TOKEN)

    @property
    def discord_enabled(self) -> bool:
        return bool(self.DISCORD_BOT_TOKEN)


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value raises ConfigError with one line naming the key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first.get("loc", ())) or "?"
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"samen-bot: configuration error in {key}: {message}") from None
