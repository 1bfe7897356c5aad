"""Operator mistakes on the command line as one readable line and an exit status.

The command line never shows a traceback: an unreachable or unusable database, a path that does
not exist or may not be written, a kennisbank folder that holds other files, and anything
unexpected each become one line in the operator's language (`samen-bot -v …` logs the details).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.i18n import Translator

EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line.removesuffix(" [details hidden]")


def explain(error: BaseException, language: str) -> tuple[str, int]:
    """The line to print for `error`, and the exit status."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from bot.tools.kennisbank.build import OutputError
    from storage.db import DatabaseSetupError

    t = Translator(language, ZoneInfo("UTC"))
    if isinstance(error, DatabaseSetupError):
        return str(error), EXIT_DATABASE
    if isinstance(error, DBAPIError):
        reason = _first_line(str(error.orig) if error.orig is not None else str(error))
        return t("cli.error_database", reason=reason), EXIT_DATABASE
    if isinstance(error, SQLAlchemyError):
        return t("cli.error_database", reason=_first_line(str(error))), EXIT_DATABASE
    if isinstance(error, OutputError):
        return str(error), EXIT_USAGE
    if isinstance(error, OSError):
        path = error.filename if error.filename is not None else ""
        reason = error.strerror or type(error).__name__
        return t("cli.error_file", path=path, reason=reason), EXIT_USAGE
    return t("cli.error_unexpected", kind=type(error).__name__), EXIT_UNEXPECTED
