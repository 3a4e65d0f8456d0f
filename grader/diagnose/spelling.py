""""Did you mean": a missing exercise function that the student wrote under another name.

`def Linear_forward(A, W, b)` or `def update_params(parameters, grads, learning_rate)` define nothing the
grader looks for. The submission's top-level `def`s are read from its source (names and parameters only;
nothing runs here) and a missing exercise is matched to one that differs by case, by a close spelling,
or that takes exactly the exercise's parameters.
"""
import ast
from dataclasses import dataclass, replace

from ..model import Diagnostic

CLOSE = 0.75  # difflib's ratio: update_params ~ update_parameters is 0.87; linear_forward ~ linear_backward is 0.76


@dataclass(frozen=True)
class Defined:
    name: str
    params: tuple
    where: str  # how the report names the function's place: "cell 3, line 1", "my.py, line 12"


def defined_functions(submission):
    """The top-level functions of every cell that parses, in the order they appear."""
    found = []
    for cell in submission.cells:
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError):
            continue
        found += [Defined(node.name, tuple(a.arg for a in node.args.posonlyargs + node.args.args),
                          f"{cell.label}, line {node.lineno}")
                  for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return found


def closest(exercise, defined, taken):
    """The function of `defined` most likely meant as `exercise`, or None; `taken`: names graded already."""
    import difflib  # here: only a submission missing an exercise needs it

    others = [d for d in defined if d.name not in taken]
    count = len(exercise.params)
    same_case = [d for d in others if d.name.lower() == exercise.name.lower()]
    if same_case:
        return same_case[0]
    spelled = difflib.get_close_matches(exercise.name, [d.name for d in others], n=3, cutoff=CLOSE)
    near = [d for name in spelled for d in others if d.name == name]
    fitting = [d for d in near if len(d.params) == count]
    if fitting or near:
        return (fitting or near)[0]
    signature = [d for d in others if d.params == tuple(exercise.params)]
    return signature[0] if len(signature) == 1 else None


def suggest_names(results, submission, exercises_by_name):
    """results with a "did you mean" for each missing exercise that the submission defines under another name."""
    missing = [r for r in results if r.status == "missing" and r.diagnostics
               and r.diagnostics[0].headline.endswith("is not defined")]
    if not missing:
        return results
    defined = defined_functions(submission)
    taken = set(exercises_by_name)
    updated = []
    for result in results:
        match = closest(exercises_by_name[result.name], defined, taken) if result in missing else None
        if match is not None:
            exercise = exercises_by_name[result.name]
            why = ("only the case differs, and names are case-sensitive" if match.name.lower() == result.name.lower()
                   else "the exercise's parameters" if match.params == tuple(exercise.params)
                   else "a close spelling" + (", the same number of parameters" if len(match.params) == len(
                       exercise.params) else ""))
            result = replace(result, diagnostics=(Diagnostic(
                f"`{result.name}` is not defined; did you mean `{match.name}`?",
                (f"`def {match.name}({', '.join(match.params)})` at {match.where}: {why}",),
                f"rename it: def {result.name}({', '.join(exercise.params)}):", where=match.where),))
        updated.append(result)
    return updated
