"""``python -m blendcc.cli``."""

from blendcc.cli import main

main()
