"""`python -m bot` runs the samen-bot command line."""

from bot.cli import main

main()
