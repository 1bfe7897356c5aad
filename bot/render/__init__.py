"""Pure renderers: a neutral Reply in, a platform's message payload out (no I/O)."""
