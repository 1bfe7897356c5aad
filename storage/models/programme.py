"""The programme's own tables: proeftuinen and their channels, members, themes, learnings and
what the three rings add to them (recognitions, enrichments, follows and their notices)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, Ring, Role, UTCDateTime, utcnow


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
