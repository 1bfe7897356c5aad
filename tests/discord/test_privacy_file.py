"""mijn-gegevens over the Discord wire: the summary and the JSON file arrive in one DM."""

from __future__ import annotations

from tests.discord.conftest import Bot


async def test_my_data_file_is_attached_to_the_dm(programme: Bot) -> None:
    await programme.run("anna", "proeftuin-a", "inzicht", tekst="Samen koken verbindt buren")
    await programme.run("anna", "proeftuin-a", "mijn-gegevens")
    (dm,) = programme.fake.dms("anna")
    assert "Samen koken verbindt buren" in str(dm["embeds"][0]["description"])
    [attachment] = dm["attachments"]
    assert attachment["filename"].startswith("mijn-gegevens-")
    assert attachment["filename"].endswith(".json")
