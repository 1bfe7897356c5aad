"""The public kennisbank: a static, accessible website of the published (ring buitenwereld)
learnings, by theme and by proeftuin, with an Atom feed, a client-side search and a
participation chart. Build it with `build_kennisbank(snapshot, output)`."""

from bot.tools.kennisbank.build import BuildReport, OutputError, build_kennisbank
from bot.tools.kennisbank.site import PublicationError
from bot.tools.kennisbank.snapshot import (
    PublishedLearning,
    Snapshot,
    ThemeRef,
    WeekCount,
)

__all__ = [
    "BuildReport",
    "OutputError",
    "PublicationError",
    "PublishedLearning",
    "Snapshot",
    "ThemeRef",
    "WeekCount",
    "build_kennisbank",
]
