"""The student worker: runs a submission's code in its own process and calls its functions on request.

Started by the grader as `python -I -S` (spawn.py). It never imports the grader package nor the reference
solutions; functions of the course's helper modules (dnn_utils, ...) are proxies whose answers the
grader computes in its own process, and only when it chooses to.
Requests arrive on stdin, replies leave on the descriptor named by argv[1]; the student's own stdout and
stderr go nowhere we read. Before the first line of student code runs, the worker confines itself
(sandbox.py: limits, seccomp, Landlock). Nothing it sends is trusted: the student's code can write on the
reply descriptor too, so the grader checks every field and judges every result itself.
"""
import ast
import importlib.abc
import importlib.machinery
import inspect
import linecache
import os
import pickle
import signal
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox  # noqa: E402
import tracer  # noqa: E402
import wire  # noqa: E402

del sys.path[0]

MODULE_NAME = "submission"
MAX_CODE = 300  # characters of a student's line in a note
MAX_NOTES = 50  # the grader keeps no more
ACTIVATION_MODULES = ("dnn_utils", "dnn_utils_v2", "dnn_app_utils", "dnn_app_utils_v2", "dnn_app_utils_v3")
DISPLAY_MODULES = ("matplotlib", "mpl_toolkits", "seaborn", "PIL", "IPython", "tqdm", "plotly")
HIDDEN_MODULES = ("grader", "solutions")  # a notebook's `from grader import check` gets a no-op check
TEST_MODULES = ("testCases", "testCases_v2", "testCases_v3", "testCases_v4", "testCases_v4a",
                "public_tests", "test_utils", "lr_utils")


class HelperRefused(Exception):
    """The grader declined to answer a course-helper call made while grading this function."""


class StatementTimeout(BaseException):
    """A top-level statement ran past its budget."""


class Channel:
    def __init__(self, requests, replies):
        self.requests = requests
        self.replies = replies
        self.calls = 0  # calls received so far; the grader counts them too
        self.call_id = None  # echoed in every reply to a call, so the grader can tell late replies apart
        self.sealed = {}  # the current call's sealed helper answers (wire.seal_answer): slot -> bytes

    def sealed_answer(self, helper, args):
        """The answer to helper(*args) if it came sealed with this call and these are exactly its arguments."""
        try:
            key = wire.answer_key(helper, args)
        except (wire.WireError, ValueError, TypeError, OverflowError, RecursionError):
            return None
        sealed = self.sealed.get(wire.answer_slot(key))
        return None if sealed is None else (wire.open_answer(key, sealed),)

    def send(self, header, values=None):
        wire.send(self.replies, header, values)

    def receive(self):
        """The grader's next request: (header, payload)."""
        message = wire.read_request(self.requests)
        if message is None:  # the grader is gone, perhaps killed before it could remove our folder
            sandbox.leave_folder()
            os._exit(0)
        return message


def _sigmoid(Z):
    import numpy as np

    return 1 / (1 + np.exp(-Z)), Z


def _relu(Z):
    import numpy as np

    return np.maximum(0, Z), Z


def make_proxy(channel, name, module_name, params):
    """A course helper answered by the grader: from an answer sealed with these exact arguments, or by asking."""
    def proxy(*args, **kwargs):
        args = bind(name, params, args, kwargs)
        opened = channel.sealed_answer(name, args)
        if opened is not None:
            return opened[0]
        channel.send({"op": "helper", "fn": name, "id": channel.call_id}, {"args": args})
        header, value = channel.receive()
        if header.get("op") != "helper_result":
            raise HelperRefused(str(header.get("reason", "the grader did not answer")))
        return value

    proxy.__name__ = proxy.__qualname__ = name
    proxy.__module__ = module_name
    proxy.is_grader_proxy = True
    return proxy


def bind(name, params, args, kwargs):
    """The positional arguments of a call, keywords included, or the TypeError the real function would raise."""
    unknown = [key for key in kwargs if key not in params]
    if unknown or len(args) > len(params):
        raise TypeError(f"{name}() got an unexpected argument {unknown[0] if unknown else len(args) + 1}")
    given = list(args) + [kwargs[key] for key in params[len(args):] if key in kwargs]
    if len(given) != len(params) or any(key in kwargs for key in params[:len(args)]):
        raise TypeError(f"{name}() takes the arguments ({', '.join(params)})")
    return tuple(given)


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Provides the course's helper modules, so notebooks that import them load unchanged."""

    def __init__(self, channel, proxied):
        self.channel = channel
        self.proxied = proxied

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in HIDDEN_MODULES or fullname in ACTIVATION_MODULES or fullname in TEST_MODULES:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        if name in ACTIVATION_MODULES:
            module.sigmoid = _sigmoid
            module.relu = _relu
            for helper, params in self.proxied.items():
                setattr(module, helper, make_proxy(self.channel, helper, name, params))
            module.__all__ = ["sigmoid", "relu", *self.proxied]
        elif name == "grader":
            module.check = lambda *args, **kwargs: None
            module.__all__ = ["check"]
        elif name.split(".")[0] in HIDDEN_MODULES:
            raise ImportError(f"{name} is not available while grading")
        else:
            module.__all__ = []
            module.__getattr__ = lambda attribute: (lambda *args, **kwargs: None)


class Inert:
    """Whatever a plotting or display module that is not installed would give: calling it, reading or setting
    any attribute or item of it works and does nothing (`plt.rcParams["figure.figsize"] = (5, 4)`)."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __setattr__(self, name, value):
        pass

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter(())


class AbsentDisplayFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on the import path: a plotting or display module that is not installed here imports as Inert, so
    a notebook's `import matplotlib.pyplot as plt` and the settings after it do not fail one by one. Graded
    code never needs these, and one that is installed is imported as it is."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in DISPLAY_MODULES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__getattr__ = lambda attribute: Inert()


def kept(statement):
    """Whether a top-level statement only defines things (see README: what runs in a submission)."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                              ast.ClassDef, ast.Pass)):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return statement.value is not None and not _calls_something(statement.value)
    if isinstance(statement, ast.Try):
        bodies = statement.body + statement.orelse + statement.finalbody
        bodies += [s for handler in statement.handlers for s in handler.body]
        return all(kept(s) for s in bodies)
    if isinstance(statement, ast.If):
        return all(kept(s) for s in statement.body + statement.orelse) and not _calls_something(statement.test)
    return False


def may_stop(statement):
    """Whether running a kept statement could hang or end the worker: all but docstrings, `pass` and plain
    defs (no decorator, default value or annotation: nothing is evaluated but the def itself)."""
    if isinstance(statement, ast.Pass):
        return False
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return False
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = statement.args
        named = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        return bool(statement.decorator_list or statement.returns or args.defaults or any(args.kw_defaults)
                    or any(arg.annotation for arg in named if arg is not None))
    return True


def _calls_something(node):
    if isinstance(node, ast.Lambda):
        return False
    if isinstance(node, ast.Call):
        return True
    return any(_calls_something(child) for child in ast.iter_child_nodes(node))


def load(channel, header, namespace):
    """Run the kept statements of every cell; report syntax errors, exceptions and timeouts as notes."""
    notes = []
    skip = {tuple(at) for at in header.get("skip", [])}
    budget = float(header.get("statement_budget", 2.0))
    skipped_calls = 0
    for cell_index, cell in enumerate(header["cells"]):
        label, source = cell["label"], cell["source"]
        linecache.cache[label] = (len(source), None, source.splitlines(True), label)
        try:
            tree = ast.parse(source, filename=label)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            notes.append(syntax_note(label, source, error))
            continue
        for stmt_index, statement in enumerate(tree.body):
            if not kept(statement):
                skipped_calls += 1
                continue
            if (cell_index, stmt_index) in skip:
                notes.append({"kind": "timeout", "where": label, "line": statement.lineno,
                              "code": _line(source, statement.lineno)})
                continue
            if may_stop(statement):  # a restart skips the statement announced last
                channel.send({"op": "exec", "at": [cell_index, stmt_index]})
            run_statement(statement, label, namespace, budget, notes, source)
    return notes, skipped_calls


def run_statement(statement, label, namespace, budget, notes, source):
    def on_alarm(signum, frame):
        raise StatementTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        code = compile(ast.Module(body=[statement], type_ignores=[]), label, "exec")
        exec(code, namespace)
    except StatementTimeout:
        notes.append({"kind": "timeout", "where": label, "line": statement.lineno,
                      "code": _line(source, statement.lineno)})
    except BaseException as error:  # noqa: B036 - a student's sys.exit must not end the worker
        notes.append(dict(error_report(error), kind="exception"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def syntax_note(label, source, error):
    line = getattr(error, "lineno", None) or 1
    return {"kind": "syntax", "where": label, "line": line, "column": getattr(error, "offset", None) or 0,
            "code": _line(source, line), "message": getattr(error, "msg", str(error))}


def _line(source, number):
    lines = source.splitlines()
    return lines[number - 1][:MAX_CODE] if 0 < number <= len(lines) else ""


def error_report(error):
    """The exception type and message, and the last line of student code it passed through."""
    where = None
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename in STUDENT_FILES:
            where = {"where": filename, "line": trace.tb_lineno,
                     "code": linecache.getline(filename, trace.tb_lineno).rstrip("\n")[:MAX_CODE]}
        trace = trace.tb_next
    if isinstance(error, SyntaxError) and error.filename in STUDENT_FILES:
        where = {"where": error.filename, "line": error.lineno or 1, "code": (error.text or "").rstrip("\n")[:MAX_CODE]}
    try:
        message = str(error)
    except Exception:
        message = ""
    report = {"type": type(error).__name__, "message": message[:500]}
    if where:
        report.update(where)
    return report


STUDENT_FILES = set()


def describe(namespace, names):
    found = {}
    for name in names:
        value = namespace.get(name)
        if value is None:
            continue
        entry = {"callable": callable(value), "student": _is_student_code(value),
                 "origin": getattr(value, "__module__", None) or type(value).__name__}
        try:
            signature = inspect.signature(value)
            params = list(signature.parameters.values())
            entry["required"] = sum(1 for p in params if p.default is p.empty and p.kind in (
                p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
            entry["positional"] = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
            entry["varargs"] = any(p.kind == p.VAR_POSITIONAL for p in params)
            entry["params"] = [p.name for p in params]
        except (TypeError, ValueError):
            entry["params"] = None
        code = getattr(value, "__code__", None)
        if code is not None and code.co_filename in STUDENT_FILES:
            entry["where"] = code.co_filename
            entry["line"] = code.co_firstlineno
        found[name] = entry
    return found


def _is_student_code(value):
    code = getattr(value, "__code__", None)
    return (callable(value) and not getattr(value, "is_grader_proxy", False)
            and code is not None and code.co_filename in STUDENT_FILES)


def call(channel, request, namespace, proxied):
    """Runs one call of a batch (session.Batch: each call's arguments arrive pickled apart, so that no two
    share an array, with the helper answers it may open) and sends what it returned, or raised; a returned
    call sends its arguments back too, for the grader to see whether the call changed them."""
    function = namespace.get(request["fn"])
    args = pickle.loads(request["args"])
    channel.sealed = request["sealed"]
    channel.calls += 1
    channel.call_id = reply_to = channel.calls
    replaced = {}
    for helper in request.get("substitute", []):
        replaced[helper] = namespace.get(helper, replaced)
        namespace[helper] = make_proxy(channel, helper, "grader", proxied.get(helper, ()))
    try:
        value = traced_call(channel, reply_to, function, args) if request.get("trace") else function(*args)
    except BaseException as error:  # noqa: B036 - SystemExit and KeyboardInterrupt are student errors too
        channel.send({"op": "raised", "id": reply_to, "error": error_report(error)})
        return
    finally:
        channel.sealed = {}
        for helper, previous in replaced.items():
            if previous is replaced:
                namespace.pop(helper, None)
            else:
                namespace[helper] = previous
    try:  # the arguments first: the grader recognises them alone by their bytes (session._returned)
        channel.send({"op": "returned", "id": reply_to}, {"args_after": args, "value": value})
    except (wire.WireError, ValueError, MemoryError, OverflowError) as error:
        channel.send({"op": "raised", "id": reply_to, "error": {"type": "ReturnValueError",
                                                                 "message": str(error)[:300]}})


def traced_call(channel, reply_to, function, args):
    """function(*args), line by line: what each line assigned goes to the grader first (tracer.py)."""
    value, error, records = tracer.traced(function, args, STUDENT_FILES)
    channel.send({"op": "trace", "id": reply_to, "records": records})
    if error is not None:
        raise error
    return value


def confine(policy):
    """Limits and confinement, before any student code; what this system could not apply becomes one note."""
    if policy is None:
        return []
    try:
        missing = sandbox.confine(policy)
    except Exception as error:  # noqa: BLE001 - grading goes on; the report says how exposed it was
        missing = [f"confinement stopped half-way ({type(error).__name__}: {error})"]
    if not missing:
        return []
    return [{"kind": "sandbox", "message": "warning: the sandbox is weaker on this system: " + "; ".join(missing)}]


def main():
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(int(sys.argv[1]), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    channel = Channel(requests, replies)
    header, _ = channel.receive()
    sandbox_notes = confine(header.get("sandbox"))
    STUDENT_FILES.update(cell["label"] for cell in header["cells"])
    proxied = {str(name): tuple(params) for name, params in dict(header.get("proxied", {})).items()}
    sys.meta_path.insert(0, StandInFinder(channel, proxied))
    sys.meta_path.append(AbsentDisplayFinder())
    module = types.ModuleType(MODULE_NAME)
    sys.modules[MODULE_NAME] = module
    namespace = module.__dict__
    namespace["__builtins__"] = __builtins__
    sys.setrecursionlimit(3000)
    notes, skipped_calls = load(channel, header, namespace)
    channel.send({"op": "loaded", "notes": (sandbox_notes + notes)[:MAX_NOTES], "skipped_calls": skipped_calls,
                  "functions": describe(namespace, header.get("names", []))})
    while True:
        header, calls = channel.receive()
        if header.get("op") != "calls":
            break
        for request in calls:  # back to back: the grader times each call from the previous reply
            call(channel, request, namespace, proxied)


if __name__ == "__main__":
    main()
