"""backprop-grader: grades back-propagation exercises and names the mistakes it finds."""
import sys
import types

__version__ = "0.1.0"


class _Package(types.ModuleType):
    """`from grader import check` is the students' check() (grader/selfcheck.py), imported on first use so
    that `import grader` stays light. The name is also that of the stage module grader/check.py, which the
    import system binds here once it is imported; that binding is ignored, and the stage module is still
    what `from .check import ...` gets (from sys.modules)."""

    @property
    def check(self):
        from .selfcheck import check

        return check

    @check.setter
    def check(self, submodule):
        pass


sys.modules[__name__].__class__ = _Package
