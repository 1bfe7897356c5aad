"""Offline commands: export, seed, demo and the kennisbank site."""
