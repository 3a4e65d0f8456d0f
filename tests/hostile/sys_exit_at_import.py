# Hostile part: ends the process loading it, politely.
import sys


class Leave:
    sys.exit(3)
