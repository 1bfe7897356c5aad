"""Discord: the adapter (events → Command), its outbound, and its embeds-and-views renderer."""
