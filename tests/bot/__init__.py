"""Tests of bot/: demo data, seeding, export (and, from others, the CLI and adapters)."""
