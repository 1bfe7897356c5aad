"""Random and malformed requests to the real `POST /slack/events` (issue 13 item 5).

Signed and unsigned, forged and stale, with random Unicode, random bytes, large bodies,
truncated JSON, forms, and Slack-shaped payloads with random parts: every request is answered
200, 400 or 401 (401 whenever the signature is not Slack's), never 5xx, and nothing is logged
as an error or with a traceback, neither at the edge nor in the work after the ack.

Deterministic and modest by default (the `slack-http-ci` profile: 60 examples, derandomised,
so CI never fails by chance); `SAMEN_FUZZ_EXAMPLES=2000` runs that many random ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.slack_api import TEAM
from tests.fakes.slack_signing import SIGNING_SECRET
from tests.slack import payloads
from tests.slack.conftest import ANNA, BOB, CHAN_A, IDLE_TIMEOUT, SlackDriver

settings.register_profile(
    "slack-http-ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "slack-http-deep",
    max_examples=int(os.environ.get("SAMEN_FUZZ_EXAMPLES") or "60"),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile(
    "slack-http-deep" if os.environ.get("SAMEN_FUZZ_EXAMPLES") else "slack-http-ci"
)

ANY_CHAR = st.characters(exclude_categories=())  # surrogates, controls and unassigned too
ID = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=11)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
# a Slack-shaped value or a random one, for any field of a Slack-shaped payload
FIELD = st.one_of(JSON, ID, st.sampled_from([ANNA, BOB, CHAN_A, "bulb", "message", ""]))


def _event(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    event = {"type": kind, "user": ANNA, "channel": CHAN_A, "ts": f"{time.time():.6f}"}
    return payloads.event_envelope(event | fields)


EVENTS = st.builds(
    _event,
    st.sampled_from(
        ["reaction_added", "message", "app_mention", "app_home_opened", "member_joined_channel"]
    ),
    st.dictionaries(
        st.sampled_from(["item", "reaction", "text", "thread_ts", "subtype", "bot_id", "user"]),
        FIELD,
        max_size=4,
    ),
).map(json.dumps)
INTERACTIONS = st.builds(
    lambda kind, fields: payloads.interactive_body(
        {"type": kind, "team": {"id": TEAM}, "user": {"id": ANNA}} | fields
    ),
    st.sampled_from(
        ["block_actions", "message_action", "shortcut", "view_submission", "view_closed", "x"]
    ),
    st.dictionaries(
        st.sampled_from(
            ["actions", "callback_id", "channel", "message", "view", "user", "trigger_id"]
        ),
        FIELD,
        max_size=4,
    ),
)
COMMANDS = st.builds(
    lambda text, extra: urlencode(
        {
            "command": "/samen",
            "text": text,
            "user_id": ANNA,
            "channel_id": CHAN_A,
            "team_id": TEAM,
            "response_url": "http://127.0.0.1:9/unused",
        }
        | extra
    ),
    st.text(ANY_CHAR, max_size=40).map(lambda t: t.encode("utf-8", "replace").decode()),
    st.dictionaries(st.sampled_from(["trigger_id", "user_id", "channel_id"]), st.text(max_size=8)),
)
SHAPED = st.one_of(EVENTS, INTERACTIONS, COMMANDS).map(str.encode)
TRUNCATED = st.builds(
    lambda body, cut: body[: max(0, len(body) - cut)], SHAPED, st.integers(1, 200)
)
RANDOM_TEXT = st.text(ANY_CHAR, max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))
FORMS = st.dictionaries(
    st.sampled_from(["payload", "command", "text", "type", "ssl_check", "token"])
    | st.text(max_size=8),
    st.one_of(st.text(max_size=40), JSON.map(json.dumps)),
    max_size=4,
).map(lambda form: urlencode(form).encode())
LARGE = st.builds(
    lambda size, filler, body: (body + filler * size)[: size + len(body)],
    st.sampled_from([10_000, 200_000, 900_000]),
    st.sampled_from([b"a", b"{", b"%", b"\xff", "💡".encode()]),
    st.one_of(SHAPED, st.just(b"")),
)
BODIES = st.one_of(
    SHAPED,
    TRUNCATED,
    RANDOM_TEXT,
    st.binary(max_size=200),
    FORMS,
    JSON.map(lambda value: json.dumps(value).encode()),
    LARGE,
)
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", None]
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
SIGNING = st.one_of(
    st.just("signed"),
    st.just("missing"),
    st.just("stale"),
    st.just("forged"),
    st.tuples(st.just("timestamp"), HEADER_TEXT),
)


def _sign(timestamp: str, body: bytes) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def _headers(signing: object, body: bytes, content_type: str | None) -> dict[str, str]:
    headers = {"Content-Type": content_type} if content_type else {}
    now = str(int(time.time()))
    if signing == "signed":
        headers |= {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": _sign(now, body)}
    elif signing == "stale":
        old = str(int(time.time()) - 6 * 60)
        headers |= {"X-Slack-Request-Timestamp": old, "X-Slack-Signature": _sign(old, body)}
    elif signing == "forged":
        headers |= {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64}
    elif isinstance(signing, tuple):
        stamp = signing[1]
        headers |= {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": _sign(stamp, body)}
    return headers


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _Loud(logging.Handler):
    """Every record at ERROR or above, and every record carrying a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info or record.exc_text:
            self.records.append(record)


@PROFILE
@given(
    body=BODIES,
    content_type=CONTENT_TYPES,
    signing=SIGNING,
    retry=st.sampled_from([None, "1", "x"]),
)
async def test_any_request_gets_200_400_or_401_and_no_traceback(
    programme: SlackDriver,
    body: bytes,
    content_type: str | None,
    signing: object,
    retry: str | None,
) -> None:
    loud = _Loud()
    root = logging.getLogger()
    root.addHandler(loud)
    try:
        headers = _headers(signing, body, content_type)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = retry
        url = programme.url
        async with programme.session.post(url, data=body, headers=headers) as response:
            status = response.status
        await programme.service.drain(IDLE_TIMEOUT)
    finally:
        root.removeHandler(loud)
    described = f"{signing!r} {content_type} {body[:120]!r}… ({len(body)} bytes)"
    assert status in (200, 400, 401), f"{status} for {described}"
    well_signed = signing == "signed" or (
        isinstance(signing, tuple)
        and signing[1].isdigit()
        and abs(int(signing[1]) - time.time()) < 300
    )
    if not well_signed or not _is_utf8(body):
        assert status == 401, f"{status} for {described}"
    assert not loud.records, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud.records] + [
        described
    ]


async def test_a_body_over_the_size_limit_gets_413_quietly(programme: SlackDriver) -> None:
    """aiohttp refuses a body over `client_max_size` (1 MiB) before it is read: a client error,
    not a 5xx, and no traceback."""
    loud = _Loud()
    root = logging.getLogger()
    root.addHandler(loud)
    try:
        body = b"a" * (1024 * 1024 + 1)
        headers = _headers("signed", body, "application/json")
        async with programme.session.post(programme.url, data=body, headers=headers) as response:
            assert response.status == 413
    finally:
        root.removeHandler(loud)
    assert not loud.records, [r.getMessage() for r in loud.records]
