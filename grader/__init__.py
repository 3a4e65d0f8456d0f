"""backprop-grader: grades back-propagation exercises and names the mistakes it finds."""

__version__ = "0.1.0"


def __getattr__(name):
    """`from grader import check` is the students' check() (grader/selfcheck/check.py), imported on first use
    so that `import grader` stays light."""
    if name == "check":
        from .selfcheck.check import check

        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
