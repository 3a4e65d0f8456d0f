# Hostile part: loops forever while the module is loaded. A class body runs at definition time, so this
# passes the worker's "definitions only" filter; the statement's time budget has to stop it.
class Spin:
    while True:
        pass
