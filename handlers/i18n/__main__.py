"""Compile the .po catalogs into the .mo files the bot reads: `python -m handlers.i18n`."""

from handlers.i18n import compile_catalogs

for path in compile_catalogs():
    print(f"wrote {path}")
