"""Tests of the Slack adapter, driven over HTTP against a fake Slack."""
