"""Log lines as plain text (default) or JSON lines (`SAMEN_LOG_FORMAT=json`), one object a
line with `time` (ISO 8601, UTC), `level`, `logger`, `message`, and `exception` when there is
one: what log shippers (journald, Loki, CloudWatch, …) read without a parsing rule."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("plain", "json")


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(kind: str | None) -> logging.Formatter:
    return JsonLines() if kind == "json" else logging.Formatter(PLAIN)


def configure(level: int, kind: str | None) -> None:
    """The root logger's handler on standard error, in the asked format."""
    logging.basicConfig(level=level, format=PLAIN, stream=sys.stderr)
    use(kind)


def use(kind: str | None) -> None:
    """Switch the root handlers to JSON lines when `kind` is `json` (plain is basicConfig's
    format already; other handlers, such as a test runner's, are left alone then)."""
    if kind != "json":
        return
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonLines())
