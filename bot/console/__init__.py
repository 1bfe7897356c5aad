"""The console: the adapter (lines → Command) and its outbound."""
