"""Operating samen-bot: backup and restore, the whole-programme dump, health and metrics, logs,
the Discord gateway lock (issue 16)."""
