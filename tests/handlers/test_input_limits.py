"""Hostile or odd input: every line is accepted whole or refused with one friendly line that
names the limit; nothing reaches the database that it cannot hold. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from handlers import limits
from handlers.types import Actor, Place, Visibility
from storage.models import Enrichment, Learning, Meeting, Member, Proeftuin, Prompt, Theme
from tests.conftest import LEADER, Chat

SORRY = "Sorry, er ging iets mis"


async def count(chat: Chat, model: type) -> int:
    async with chat.router.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def stored_texts(chat: Chat) -> list[str]:
    async with chat.router.database.unit_of_work() as session:
        return list(await session.scalars(select(Learning.text).order_by(Learning.id)))


async def refused(chat: Chat, line: str, **kwargs: object) -> str:
    """The one private line a refused command gets."""
    replies = await chat.say(line, **kwargs)  # type: ignore[arg-type]
    assert len(replies) == 1, [r.text for r in replies]
    (reply,) = replies
    assert reply.visibility is Visibility.ONLY_CALLER
    assert SORRY not in reply.text
    assert len(reply.text) < 400 and "\n" not in reply.text.strip()
    return reply.text


# --- cleaning at the router -------------------------------------------------------------------


def test_clean_removes_controls_surrogates_and_bidi_overrides() -> None:
    assert limits.clean("a\x00b\x07c") == "abc"
    assert limits.clean("x\ud800y\udcffz") == "xyz"
    assert limits.clean("evil\u202etxt.exe\u2066\u2069") == "eviltxt.exe"
    assert limits.clean("regel 1\r\nregel 2\rregel 3") == "regel 1\nregel 2\nregel 3"
    # Ordinary text, tabs, emoji, Arabic and the zero-width joiner of emoji stay as they are.
    kept = "Huur\tdaalt 💡 مرحبا 👩\u200d👩\u200d👧 שלום\u200f"
    assert limits.clean(kept) == kept


async def test_nul_bytes_and_surrogates_are_removed_and_the_rest_stored(programme: Chat) -> None:
    text = await programme.text("inzicht Huur\x00 daalt \ud800met\udcff hulp #wonen")
    assert "Inzicht #1 bewaard" in text
    assert await stored_texts(programme) == ["Huur daalt met hulp #wonen"]


async def test_bidi_overrides_never_stored(programme: Chat) -> None:
    await programme.say("inzicht Zie bijlage \u202egnp.exe\u202c en \u2067bewoners\u2069 #wonen")
    (stored,) = await stored_texts(programme)
    assert not any(ch in stored for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert stored == "Zie bijlage gnp.exe en bewoners #wonen"


async def test_odd_command_words_are_cleaned_before_lookup(programme: Chat) -> None:
    assert "Inzicht #1 bewaard" in await programme.text("inzicht\u202e Bewoners doen mee")


async def test_hostile_theme_name_on_every_backend(programme: Chat) -> None:
    text = await programme.text("thema nieuw nul Nul\x00byte \ud83d", user=LEADER)
    assert "nul" in text and SORRY not in text
    async with programme.router.database.unit_of_work() as session:
        name = await session.scalar(select(Theme.name).where(Theme.slug == "nul"))
    assert name == "Nulbyte"


# --- lengths ------------------------------------------------------------------------------------


async def test_learning_at_the_limit_is_stored_whole_and_one_more_is_refused(
    programme: Chat,
) -> None:
    exact = "w" * (limits.LEARNING_TEXT - 5) + " huur"
    assert "Inzicht #1 bewaard" in await programme.text(f"inzicht {exact}")
    assert await stored_texts(programme) == [exact]
    line = await refused(programme, "inzicht " + "x" * 1_000_000)
    assert f"{limits.LEARNING_TEXT}" in line and "/samen inzicht" in line
    assert await count(programme, Learning) == 1


async def test_learning_limit_also_holds_for_delivered_captures(programme: Chat) -> None:
    """Captures with an event id go through the batcher: the limit holds there too."""
    line = await refused(programme, "inzicht " + "y" * (limits.LEARNING_TEXT + 1), event_id="E1")
    assert str(limits.LEARNING_TEXT) in line
    assert await count(programme, Learning) == 0


async def test_answer_to_a_prompt_has_the_learning_limit(programme: Chat) -> None:
    await programme.say("vraag Wat leerde je deze week?", user=LEADER)
    line = await refused(programme, "antwoord 1 " + "z" * (limits.LEARNING_TEXT + 1))
    assert str(limits.LEARNING_TEXT) in line
    assert await count(programme, Learning) == 0


async def test_enrichment_limit(programme: Chat) -> None:
    await programme.say("inzicht Een fonds wil resultaten zien #financiering")
    line = await refused(
        programme, "verrijk 1 " + "e" * 1_000_000, channel="proeftuin-b", user="bram"
    )
    assert str(limits.ENRICHMENT_TEXT) in line and "/samen verrijk" in line
    assert await count(programme, Enrichment) == 0
    ok = "e" * limits.ENRICHMENT_TEXT
    assert "Proeftuin B" in await programme.text(f"verrijk 1 {ok}", channel="proeftuin-b")
    assert await count(programme, Enrichment) == 1


async def test_theme_name_and_slug_limits(programme: Chat) -> None:
    before = await count(programme, Theme)
    line = await refused(programme, "thema nieuw lang " + "N" * 5000, user=LEADER)
    assert str(limits.THEME_NAME) in line and "/samen thema nieuw" in line
    slug = "s" * (limits.THEME_SLUG + 1)
    line = await refused(programme, f"thema nieuw {slug} Naam", user=LEADER)
    assert str(limits.THEME_SLUG) in line
    line = await refused(programme, "thema nieuw kw Naam | " + "k" * 5000, user=LEADER)
    assert str(limits.THEME_KEYWORDS) in line
    assert await count(programme, Theme) == before
    name = "N" * limits.THEME_NAME
    assert "toegevoegd" in await programme.text(f"thema nieuw lang {name}", user=LEADER)


async def test_meeting_title_limit(programme: Chat) -> None:
    title = "T" * (limits.MEETING_TITLE + 1)
    line = await refused(programme, f"bijeenkomst {title} | 2030-01-10 19:30", user=LEADER)
    assert str(limits.MEETING_TITLE) in line and "/samen bijeenkomst" in line
    assert await count(programme, Meeting) == 0
    title = "T" * limits.MEETING_TITLE
    assert "#1" in await programme.text(f"bijeenkomst {title} | 2030-01-10 19:30", user=LEADER)


async def test_prompt_limit(programme: Chat) -> None:
    line = await refused(programme, "vraag " + "Waarom? " * 2000, user=LEADER)
    assert str(limits.PROMPT_TEXT) in line and "/samen vraag" in line
    assert await count(programme, Prompt) == 0


async def test_proeftuin_name_limit(chat: Chat) -> None:
    line = await refused(chat, "koppel " + "P" * 5000, user=LEADER)
    assert str(limits.PROEFTUIN_NAME) in line and "/samen koppel" in line
    assert await count(chat, Proeftuin) == 0


async def test_refusals_in_english(programme: Chat) -> None:
    programme.router.t = programme.router.t.__class__("en", programme.router.t.timezone)
    line = await refused(programme, "inzicht " + "x" * (limits.LEARNING_TEXT + 1))
    assert "at most" in line and str(limits.LEARNING_TEXT) in line


async def test_long_display_name_is_cut_to_fit(programme: Chat) -> None:
    router = programme.router
    command = router.make_command(
        "/samen inzicht Naam te lang",
        Actor("console", "lang", "L" * 5000),
        Place("console", "proeftuin-a"),
        received_at=datetime.now(UTC),
    )
    assert "Inzicht #1 bewaard" in "\n".join(r.text for r in await router.dispatch(command))
    async with router.database.unit_of_work() as session:
        name = await session.scalar(select(Member.display_name).where(Member.user_id == "lang"))
    assert name == "L" * limits.DISPLAY_NAME


# --- numbers ----------------------------------------------------------------------------------


async def test_numbers_beyond_the_column_are_unknown_numbers(programme: Chat) -> None:
    await programme.say("inzicht Bewoners doen mee #wonen")
    for number in ("2147483648", "#99999999999999", "9" * 5000):
        for line, unknown in [
            (f"herken {number}", "vind ik niet"),
            (f"tag {number} #wonen", "vind ik niet"),
            (f"intrekken {number}", "vind ik niet"),
            (f"deel {number} kenniskring", "vind ik niet"),
            (f"verrijk {number} aanvulling", "vind ik niet"),
            (f"akkoord {number}", "#"),
            (f"ja {number}", "Bijeenkomst"),
            (f"antwoord {number} tekst", "Vraag"),
        ]:
            text = await refused(programme, line, channel="proeftuin-b")
            assert unknown in text, (line, text)
    assert "vind ik niet" in await refused(programme, "herken 2147483647", channel="proeftuin-b")


async def test_odd_digits_are_no_number(programme: Chat) -> None:
    for word in ("²", "1²", "-3", "1.5"):
        text = await refused(programme, f"herken {word}", channel="proeftuin-b")
        assert "geen nummer" in text, (word, text)


def test_readme_states_the_limits() -> None:
    """The command reference says the limits the code enforces (one place each)."""
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text("utf-8").split())
    for phrase, value in [
        ("captured message) ", limits.LEARNING_TEXT),
        ("an enrichment ", limits.ENRICHMENT_TEXT),
        ("a prompt ", limits.PROMPT_TEXT),
        ("a meeting title ", limits.MEETING_TITLE),
        ("a theme name ", limits.THEME_NAME),
        ("its slug ", limits.THEME_SLUG),
        ("keywords together ", limits.THEME_KEYWORDS),
        ("a proeftuin name ", limits.PROEFTUIN_NAME),
        ("Numbers (`N`) above ", limits.MAX_ID),
    ]:
        assert f"{phrase}{value:,}" in readme, phrase


async def test_refusals_never_repeat_more_than_the_limit(chat: Chat) -> None:
    """Refusals that repeat the text (so nothing is lost) come after the length check."""
    await chat.say("koppel Proeftuin A", user=LEADER)
    for line, kwargs in [
        ("inzicht " + "💡" * 200_000, {}),
        ("inzicht " + "woord " * 50_000, {"channel": "nergens"}),
    ]:
        text = await refused(chat, line, **kwargs)
        assert str(limits.LEARNING_TEXT) in text


async def test_huge_words_elsewhere_are_answered_briefly(programme: Chat) -> None:
    """Other commands never repeat a flood back, and never fail on one."""
    await programme.say("inzicht Bewoners doen mee #wonen")
    for line, kwargs in [
        ("x" * 100_000, {}),
        ("deel 1 " + "r" * 100_000, {}),
        ("bijeenkomst Kring | " + "morgen " * 20_000, {"user": LEADER}),
        ("bijeenkomst Kring | 2030-01-10 19:30 | " + "o" * 100_000, {"user": LEADER}),
        ("zoek proeftuin:" + "p" * 100_000, {}),
    ]:
        replies = await programme.say(line, **kwargs)  # type: ignore[arg-type]
        text = "\n".join(r.text for r in replies)
        assert SORRY not in text and len(text) < limits.LEARNING_TEXT + 400, (line[:30], text)
    text = await programme.text("zoek " + "bewoners " * 20_000)
    assert SORRY not in text


async def test_weeks_at_the_ends_of_the_calendar(programme: Chat) -> None:
    for week in ("9999-W52", "0001-W01", "2026-W99", "99999999999-W01"):
        text = await programme.text(f"digest {week}", user=LEADER)
        assert SORRY not in text and len(text) < 2000, (week, text)
