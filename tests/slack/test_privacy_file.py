"""mijn-gegevens over the Slack wire: the summary and the complete JSON file go to the DM."""

from __future__ import annotations

import json

from tests.slack.conftest import ANNA, SlackDriver


async def test_my_data_file_is_uploaded_to_the_dm(programme: SlackDriver) -> None:
    await programme.run("inzicht Samen koken verbindt buren #wonen")
    calls = await programme.run("mijn-gegevens")
    [post] = [c for c in calls if c.method == "chat.postMessage"]
    [done] = [c for c in calls if c.method == "files.completeUploadExternal"]
    assert post.args["channel"].startswith("D") and done.args["channel_id"] == post.args["channel"]
    [uploaded] = programme.fake.uploads.values()
    data = json.loads(uploaded)
    assert data["member"]["user_id"] == ANNA
    assert [i["text"] for i in data["learnings"]] == ["Samen koken verbindt buren #wonen"]
