# Hostile part: loops forever at load time inside C code, where no Python signal handler can run:
# only the grader's load deadline and a fresh worker that skips this statement get past it.
import collections
import itertools


class Stuck:
    collections.deque(itertools.count(), maxlen=0)
