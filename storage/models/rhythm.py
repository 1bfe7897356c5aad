"""The operational tables: the ledger of handled platform events, the rhythm (meetings, RSVPs,
prompts, the effect ledger) and the maatjes rounds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.programme import Proeftuin, Theme


class HandledEvent(Base):
    """Ledger of platform deliveries already handled, so retries are handled once."""

    __tablename__ = "handled_events"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- Rhythm (revision 0002_rhythm): meetings, RSVPs, prompts, and the effect ledger ---


class Meeting(Base):
    """A bijeenkomst: a start time (stored in UTC), an optional theme and proeftuin."""

    __tablename__ = "meetings"
    __table_args__ = {"sqlite_autoincrement": True}  # numbers are never reused (revision 0004)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    proeftuin_id: Mapped[int | None] = mapped_column(
        ForeignKey("proeftuinen.id", ondelete="SET NULL")
    )
    platform: Mapped[str] = mapped_column(String(20))  # where it was scheduled
    channel_id: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Changes (revision 0010): `annuleer` sets cancelled_at, `verzet` moves starts_at; both
    # raise the iCalendar SEQUENCE and set updated_at (the agenda feed's LAST-MODIFIED).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    theme: Mapped[Theme | None] = relationship(lazy="joined")
    proeftuin: Mapped[Proeftuin | None] = relationship(lazy="joined")


class Rsvp(Base):
    """One member's answer to one meeting (a second answer replaces the first)."""

    __tablename__ = "rsvps"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answer: Mapped[str] = mapped_column(String(10))  # "ja" | "nee"
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Prompt(Base):
    """A reflection question (vraag) a leader sent to proeftuin channels."""

    __tablename__ = "prompts"
    __table_args__ = {"sqlite_autoincrement": True}  # numbers are never reused (revision 0004)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    proeftuin_id: Mapped[int | None] = mapped_column(
        ForeignKey("proeftuinen.id", ondelete="SET NULL")
    )  # asked of one proeftuin; None: of every linked proeftuin
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PromptPost(Base):
    """Where a prompt (or its follow-up) was posted: one row per channel message."""

    __tablename__ = "prompt_posts"
    __table_args__ = (Index("ix_prompt_posts_message", "platform", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"), index=True)
    proeftuin_id: Mapped[int] = mapped_column(ForeignKey("proeftuinen.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))  # told by the adapter later
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Effect(Base):
    """The effect ledger: one row per outward effect (a digest for a week and channel, a
    reminder, a follow-up), claimed before it is sent and completed after, so nothing is sent
    twice by a restart, a replay or a second process. See schedules/ledger.py."""

    __tablename__ = "effects"
    __table_args__ = (Index("ix_effects_status_next_attempt_at", "status", "next_attempt_at"),)

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # digest | reminder | followup
    status: Mapped[str] = mapped_column(String(12))  # queued|claimed|done|failed|missed|gave_up
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # parts already sent
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no retries after this
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- Maatjes (revision 0012): introductions across proeftuinen by theme ---


class BuddyOptIn(Base):
    """A member who wants to be introduced to someone of another proeftuin (`maatje aan`);
    `maatje uit` deletes the row. `proeftuin_id` is the proeftuin of the channel where they
    said so (None in a direct message): see storage/buddies.py for the rule."""

    __tablename__ = "buddy_optins"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    proeftuin_id: Mapped[int | None] = mapped_column(
        ForeignKey("proeftuinen.id", ondelete="SET NULL")
    )
    opted_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BuddyPair(Base):
    """Two members introduced to each other in one round (`round_key`, the round's local date),
    on a theme they share; kept six months so nobody meets the same person again sooner
    (storage/retention.py), and read back to build each introduction when it is sent."""

    __tablename__ = "buddy_pairs"
    __table_args__ = (
        UniqueConstraint("round_key", "member_a_id"),
        UniqueConstraint("round_key", "member_b_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_key: Mapped[str] = mapped_column(String(20))
    member_a_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    member_b_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
