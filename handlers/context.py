"""What a handler gets: the command, its unit of work, the caller's role and place, a translator."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import Translator
from handlers.types import Command, UserError
from storage.db import Database
from storage.models import Learning, Member, Proeftuin, Ring
from storage.visibility import Viewer


@dataclass(frozen=True, slots=True)
class Policy:
    """The settings handlers need, free of any platform or settings library."""

    language: str = "nl"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    leaders: frozenset[str] = frozenset()
    default_ring: Ring = Ring.KENNISKRING
    console_leaders_when_unset: bool = True  # the local console is the operator's own terminal
    digest_channels: tuple[tuple[str, str], ...] = ()
    prompt_followup_days: int = 5
    quiet_weeks: int = 3  # weeks without activity before a proeftuin counts as quiet
    maatjes_schedule: str = "0 10 1-7 * mon"  # crontab of the maatjes rounds; "": off
    data_dir: str = "data"

    def translator(self) -> Translator:
        return Translator(self.language, self.timezone)


@dataclass(slots=True)
class Context:
    """One command being handled."""

    command: Command
    session: AsyncSession
    policy: Policy
    t: Translator
    member: Member
    is_leader: bool
    proeftuin: Proeftuin | None
    database: Database
    answer_privately: bool = False  # set by `concerns`: channel replies go to the caller alone
    # The typed parameters, read by the router from the sub-command's declaration
    # (`command_line.values_of`): a number, text, `#slug` words, a flag's True.
    values: dict[str, object] = field(default_factory=dict)

    def arg(self, name: str) -> str:
        """Parameter `name` as text: `''` when it was not given (or a flag is absent)."""
        value = self.values.get(name)
        if value is None or value is False:
            return ""
        return "" if value is True else str(value)

    def given(self, name: str) -> bool:
        """Whether parameter `name` was given (a flag's word was typed)."""
        value = self.values.get(name)
        return not (value is None or value is False or value == "")

    def reading(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session for a query that may read many rows (search, digest preview): off the
        event loop on SQLite, and it sees committed data, not this unit of work's changes.
        Use what it loads inside the block."""
        return self.database.reading()

    @property
    def viewer(self) -> Viewer:
        """What may be shown here: follows the place, so nothing leaks between proeftuinen."""
        return Viewer(proeftuin_id=self.proeftuin.id if self.proeftuin else None)

    def concerns(self, learning: Learning) -> None:
        """Note that this command is about `learning`: if its ring keeps it inside a proeftuin
        other than this channel's, the answer (which would name it) goes to the caller alone."""
        if learning.ring != Ring.PROEFTUIN.value or self.command.place.is_direct:
            return
        if self.proeftuin is None or self.proeftuin.id != learning.proeftuin_id:
            self.answer_privately = True

    def require_leader(self) -> None:
        if not self.is_leader:
            raise UserError("error.leader_only", command=self.command.name)

    def require_proeftuin(self, text: str = "") -> Proeftuin:
        if self.proeftuin is None:
            direct = self.command.place.is_direct
            if text:
                key = "error.no_proeftuin_direct_text" if direct else "error.no_proeftuin_text"
                raise UserError(key, text=text)
            raise UserError("error.no_proeftuin_direct" if direct else "error.no_proeftuin")
        return self.proeftuin
