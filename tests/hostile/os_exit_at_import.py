# Hostile part: ends the process loading it at once; the grader must restart without this statement.
import os


class Vanish:
    os._exit(0)
