"""How learnings and themes are described in replies (platform-neutral text)."""

from __future__ import annotations

from handlers.i18n import Translator
from handlers.text import shorten, tags
from handlers.types import Field
from storage.models import Learning


def learning_line(t: Translator, learning: Learning, text: str | None = None) -> str:
    """One line: `#12 · Proeftuin · 3 dec. 2026 · #wonen — the text…`."""
    parts = [f"#{learning.id}", learning.proeftuin.name, t.day(learning.created_at)]
    if learning.themes:
        parts.append(tags(learning.themes))
    if learning.recognitions:
        parts.append(t("views.recognised", count=len(learning.recognitions)))
    body = text if text is not None else shorten(learning.text, 200)
    line = " · ".join(parts) + f" — {body}"
    for enrichment in learning.enrichments:
        line += "\n   ↳ " + t(
            "views.enrichment",
            proeftuin=enrichment.proeftuin.name,
            text=shorten(enrichment.text, 160),
        )
    return line


def recognised_by(learning: Learning) -> str:
    """The names of the proeftuinen that recognised a learning."""
    return ", ".join(sorted(r.proeftuin.name for r in learning.recognitions))


def author_name(t: Translator, learning: Learning) -> str:
    """The author's display name, or 'anoniem' once they asked to be forgotten."""
    return learning.author.display_name if learning.author else t("word.anonymous")


def learning_fields(t: Translator, learning: Learning) -> tuple[Field, ...]:
    """Fields for a learning card: proeftuin, ring, themes, author."""
    return (
        Field(t("field.proeftuin"), learning.proeftuin.name),
        Field(t("field.ring"), t(f"ring.{learning.ring}")),
        Field(t("field.themes"), tags(learning.themes) or t("word.none")),
        Field(t("field.author"), author_name(t, learning)),
        *(
            (Field(t("field.recognised"), recognised_by(learning)),)
            if learning.recognitions
            else ()
        ),
    )
