"""SQLAlchemy 2 typed models, one import for all: the base and its types (base.py), the
programme's tables (programme.py) and the operational ones (rhythm.py). Every table is
registered on `Base.metadata` once this package is imported, as Alembic's env.py expects."""

from storage.models.base import NAMING_CONVENTION, Base, Ring, Role, UTCDateTime, utcnow
from storage.models.programme import (
    ChannelLink,
    Enrichment,
    Follow,
    FollowNotice,
    Learning,
    LearningTheme,
    Member,
    Proeftuin,
    Recognition,
    Theme,
)
from storage.models.rhythm import (
    BuddyOptIn,
    BuddyPair,
    Effect,
    HandledEvent,
    Meeting,
    Prompt,
    PromptPost,
    Rsvp,
)

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "BuddyOptIn",
    "BuddyPair",
    "ChannelLink",
    "Effect",
    "Enrichment",
    "Follow",
    "FollowNotice",
    "HandledEvent",
    "Learning",
    "LearningTheme",
    "Meeting",
    "Member",
    "Proeftuin",
    "Prompt",
    "PromptPost",
    "Recognition",
    "Rsvp",
    "Role",
    "Ring",
    "Theme",
    "UTCDateTime",
    "utcnow",
]
