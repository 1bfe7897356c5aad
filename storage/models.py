"""SQLAlchemy 2 typed models: proeftuinen, channels, members, learnings, themes, event ledger."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Ring(enum.StrEnum):
    """Who may see a learning (the programme's three rings)."""

    PROEFTUIN = "proeftuin"
    KENNISKRING = "kenniskring"
    BUITENWERELD = "buitenwereld"


class Role(enum.StrEnum):
    """A member's role, derived from SAMEN_LEADERS at every command."""

    DEELNEMER = "deelnemer"
    LEIDER = "leider"


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware in UTC (also on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic constraint names are stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Proeftuin(Base):
    """One of the programme's pilot sites."""

    __tablename__ = "proeftuinen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    default_ring: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived (revision 0007): kept with its learnings, left out of lists, prompts, suggestions.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    channels: Mapped[list[ChannelLink]] = relationship(back_populates="proeftuin")


class ChannelLink(Base):
    """A chat channel linked to a proeftuin: what is said there belongs to it."""

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("platform", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(200))
    proeftuin_id: Mapped[int] = mapped_column(ForeignKey("proeftuinen.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proeftuin: Mapped[Proeftuin] = relationship(back_populates="channels")


class Member(Base):
    """A person as known on one platform."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.DEELNEMER.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Theme(Base):
    """A cross-cutting theme such as #wonen."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[str] = mapped_column(Text, default="")  # comma-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived (revision 0007): its tags stay; no longer listed, suggested, tagged or followed.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.split(",") if k.strip()]


class LearningTheme(Base):
    """Which themes a learning is tagged with."""

    __tablename__ = "learning_themes"

    learning_id: Mapped[int] = mapped_column(
        ForeignKey("learnings.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Learning(Base):
    """A captured learning (inzicht)."""

    __tablename__ = "learnings"
    __table_args__ = (
        Index("ix_learnings_created_at", "created_at"),
        Index("ix_learnings_proeftuin_id_created_at", "proeftuin_id", "created_at"),
        {"sqlite_autoincrement": True},  # numbers are never reused (revision 0004)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    proeftuin_id: Mapped[int] = mapped_column(ForeignKey("proeftuinen.id", ondelete="CASCADE"))
    ring: Mapped[str] = mapped_column(String(20), default=Ring.KENNISKRING.value)
    platform: Mapped[str] = mapped_column(String(20), default="console")
    channel_id: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    source_event_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("prompts.id", ondelete="SET NULL"), index=True
    )  # the reflection prompt this learning answers (revision 0002_rhythm)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )  # the meeting this learning was harvested from (`oogst`, revision 0008)
    # Publishing to the buitenwereld with the author's consent (revision 0003_rings):
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    publish_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[Member | None] = relationship(lazy="joined")
    proeftuin: Mapped[Proeftuin] = relationship(lazy="joined")
    themes: Mapped[list[Theme]] = relationship(
        secondary="learning_themes", lazy="selectin", order_by="Theme.slug"
    )
    # What hangs on a learning goes with it: the database's ON DELETE CASCADE removes the rows
    # (also those not loaded); the ORM deletes the loaded ones instead of setting their
    # learning_id to NULL, which the NOT NULL column refuses.
    recognitions: Mapped[list[Recognition]] = relationship(
        lazy="selectin",
        order_by="Recognition.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    enrichments: Mapped[list[Enrichment]] = relationship(
        lazy="selectin",
        order_by="Enrichment.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


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


class Recognition(Base):
    """'Ook bij ons': a proeftuin recognises a learning (once per proeftuin)."""

    __tablename__ = "recognitions"
    __table_args__ = (UniqueConstraint("learning_id", "proeftuin_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learning_id: Mapped[int] = mapped_column(ForeignKey("learnings.id", ondelete="CASCADE"))
    proeftuin_id: Mapped[int] = mapped_column(
        ForeignKey("proeftuinen.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    proeftuin: Mapped[Proeftuin] = relationship(lazy="joined")


class Enrichment(Base):
    """A note, link or counter-example a proeftuin adds to a learning."""

    __tablename__ = "enrichments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learning_id: Mapped[int] = mapped_column(
        ForeignKey("learnings.id", ondelete="CASCADE"), index=True
    )
    proeftuin_id: Mapped[int] = mapped_column(ForeignKey("proeftuinen.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proeftuin: Mapped[Proeftuin] = relationship(lazy="joined")


class Follow(Base):
    """A member follows a theme, from the proeftuin of the channel where they asked."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("member_id", "theme_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    proeftuin_id: Mapped[int | None] = mapped_column(
        ForeignKey("proeftuinen.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theme: Mapped[Theme] = relationship(lazy="joined")


class FollowNotice(Base):
    """A learning a follower is to be told about; sent at most once an hour per follower."""

    __tablename__ = "follow_notices"
    __table_args__ = (UniqueConstraint("member_id", "learning_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    learning_id: Mapped[int] = mapped_column(
        ForeignKey("learnings.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


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
