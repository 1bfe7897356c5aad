"""Slack: the adapter (events → Command), its outbound, and its Block Kit renderer."""
