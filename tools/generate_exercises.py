"""Generate the student files from the reference solutions, so the two can never drift apart.

    python tools/generate_exercises.py          # (re)write the student files
    python tools/generate_exercises.py --check  # exit 1 if a committed student file is stale

In solutions/reference.py, the body of each graded function holds one region between a
`# BEGIN SOLUTION` line and an `# END SOLUTION` line. The student module is the reference file with
every region replaced by a stub; the notebook teaches each graded function around that stub.
"""
import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat import v4

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTION_PATH = REPO_ROOT / "solutions" / "reference.py"
STUDENT_MODULE_PATH = REPO_ROOT / "exercises" / "deep_network.py"
NOTEBOOK_PATH = REPO_ROOT / "exercises" / "Building_your_Deep_Neural_Network.ipynb"

BEGIN_MARKER = "# BEGIN SOLUTION"
END_MARKER = "# END SOLUTION"
TOP_LEVEL_DEF = re.compile(r"def (\w+)\(")

INTRO = dedent("""\
    # Building a deep neural network, one function at a time

    In this notebook you write, piece by piece, everything a deep network needs to learn: the forward
    pass that turns inputs into predictions, the cost that scores those predictions, the backward pass
    that finds how the cost changes with every parameter, and the gradient-descent step that uses it.
    Each function builds on the ones before it, so work through them in order.

    ### Conventions (every function relies on them)

    - **One example per column.** The input $X$ has shape $(n_x, m)$: $n_x$ features for each of the
      $m$ examples. Every activation $A^{[l]}$ and pre-activation $Z^{[l]}$ has shape $(n^{[l]}, m)$.
    - **Layer $l$ has $n^{[l]}$ units.** Its weights $W^{[l]}$ have shape $(n^{[l]}, n^{[l-1]})$ and its
      bias $b^{[l]}$ has shape $(n^{[l]}, 1)$; numpy broadcasting adds that one column to every example.
    - **One layer computes** $Z^{[l]} = W^{[l]} \\cdot A^{[l-1]} + b^{[l]}$ and then
      $A^{[l]} = g^{[l]}(Z^{[l]})$, with ReLU for the hidden layers and a sigmoid for the output layer.
      The input is $A^{[0]} = X$.
    - **Caches** carry what the backward pass needs. The linear step keeps `(A_prev, W, b)`; a whole
      layer keeps `((A_prev, W, b), Z)`.
    - **Gradients** live in a dict `grads` keyed `dA{l}`, `dW{l}` and `db{l}`: `dW{l}` and `db{l}` are
      the gradients of the cost with respect to $W^{[l]}$ and $b^{[l]}$, and `dA{l}` is the gradient with
      respect to $A^{[l]}$.

    ### How to work

    In each exercise, replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError(...)` with
    your code, run the cell, then run the `check(...)` cell below it. A failing check tells you which
    output is wrong, and how. The next cell gives you `sigmoid` and `relu`; each returns the pair
    `(A, Z)`, so the `Z` it hands back is ready to be kept as the activation cache.

    `check` runs your function on its own, in a separate process, on test cases it makes: it sees the
    functions you defined and what they use, not the variables your other cells computed. For each
    backward function it also nudges the inputs of *your own* forward function and compares how its
    output moves with what your backward function returns: "your backward pass does not match your
    forward pass" names the outputs that disagree.
    """)

LESSONS = {
    "linear_forward": dedent("""\
        The first half of every layer is a linear step: mix the previous layer's activations with the
        weights, then shift by the bias.

        $$Z = W A + b$$

        Because each column of $A$ is one example, a single matrix product handles all $m$ examples at
        once, and broadcasting adds the column $b$ to each of them. Use a matrix product (`np.dot` or
        `@`), not `*`, which multiplies element by element.

        | | name | shape |
        |---|---|---|
        | input | `A`, the previous layer's activations | $(n^{[l-1]}, m)$ |
        | input | `W`, the weights | $(n^{[l]}, n^{[l-1]})$ |
        | input | `b`, the biases | $(n^{[l]}, 1)$ |
        | output | `Z`, the pre-activation | $(n^{[l]}, m)$ |
        | output | `cache`, the tuple `(A, W, b)` | the backward pass needs all three |

        Common mistake: laying out one example per row and computing $Z = A W$. In this notebook the
        examples are columns, so the weights come first.
        """),
    "linear_activation_forward": dedent("""\
        A full layer is the linear step followed by a non-linearity $g$:

        $$Z = W A_{prev} + b, \\qquad A = g(Z)$$

        where $g$ is either $\\mathrm{relu}(Z) = \\max(0, Z)$ or $\\sigma(Z) = \\dfrac{1}{1 + e^{-Z}}$,
        applied element by element. Reuse `linear_forward`, then call the given `relu` or `sigmoid`
        according to `activation`. Keep both caches: the layer's cache is the pair
        `(linear_cache, Z)`.

        | | name | shape |
        |---|---|---|
        | input | `A_prev`, the previous layer's activations | $(n^{[l-1]}, m)$ |
        | input | `W`, the weights | $(n^{[l]}, n^{[l-1]})$ |
        | input | `b`, the biases | $(n^{[l]}, 1)$ |
        | input | `activation`, the string `"relu"` or `"sigmoid"` | |
        | output | `A`, the post-activation | $(n^{[l]}, m)$ |
        | output | `cache`, the pair `((A_prev, W, b), Z)` | `Z` has shape $(n^{[l]}, m)$ |
        """),
    "L_model_forward": dedent("""\
        The whole network stacks $L$ layers: $L-1$ ReLU layers, then one sigmoid layer that outputs a
        probability for each example.

        $$A^{[0]} = X, \\qquad A^{[l]} = \\mathrm{relu}\\left(W^{[l]} A^{[l-1]} + b^{[l]}\\right)
        \\text{ for } l = 1, \\dots, L-1, \\qquad A^{[L]} = \\sigma\\left(W^{[L]} A^{[L-1]} + b^{[L]}\\right)$$

        `parameters` holds two entries per layer (`W1`, `b1`, ..., `WL`, `bL`), so the number of layers
        is half its length. Collect each layer's cache in order, so that `caches[l-1]` belongs to layer
        $l$.

        | | name | shape |
        |---|---|---|
        | input | `X`, the input data | $(n_x, m)$ |
        | input | `parameters["W{l}"]`, `parameters["b{l}"]` | $(n^{[l]}, n^{[l-1]})$ and $(n^{[l]}, 1)$ |
        | output | `AL`, the predictions $A^{[L]}$ | $(1, m)$ |
        | output | `caches`, a list of the $L$ layer caches | each `((A_prev, W, b), Z)` |
        """),
    "compute_cost": dedent("""\
        The cross-entropy cost measures how far the predicted probabilities $a^{(i)}$ are from the true
        labels $y^{(i)}$, averaged over the $m$ examples:

        $$J = -\\frac{1}{m} \\sum_{i=1}^{m} \\left( y^{(i)} \\log a^{(i)} + (1 - y^{(i)}) \\log(1 - a^{(i)}) \\right)$$

        Numpy's `np.log` and element-wise products compute every term at once; $m$ is the number of
        columns of `Y`.

        | | name | shape |
        |---|---|---|
        | input | `AL`, the predicted probabilities | $(1, m)$ |
        | input | `Y`, the true labels, 0 or 1 | $(1, m)$ |
        | output | `cost` | a scalar (a float or a 0-d array) |
        """),
    "relu_backward": dedent("""\
        From here on we go backwards. Given $dA = \\dfrac{\\partial \\mathcal{L}}{\\partial A}$, the gradient
        with respect to a layer's output, find the gradient with respect to its pre-activation. The
        chain rule multiplies $dA$ by the derivative of the activation, element by element. ReLU's slope
        is 1 where $Z > 0$ and 0 elsewhere, so

        $$dZ = dA \\odot \\mathbb{1}\\{Z > 0\\}$$

        The gate is decided by the sign of $Z$, which is why the forward pass kept $Z$ in the cache.

        | | name | shape |
        |---|---|---|
        | input | `dA`, the gradient with respect to $A$ | $(n, m)$ |
        | input | `cache`, the pre-activation `Z` | $(n, m)$ |
        | output | `dZ`, the gradient with respect to $Z$ | $(n, m)$ |

        Common mistakes:
        - applying the activation to `dA` (taking `relu(dA)`) instead of multiplying `dA` by the
          activation's derivative: the gate depends on $Z$, not on the sign of $dA$;
        - testing the sign of `dA` instead of the sign of `Z`.
        """),
    "sigmoid_backward": dedent("""\
        The same chain rule, with the sigmoid's derivative. Writing $s = \\sigma(Z)$, the derivative is
        $\\sigma'(Z) = s (1 - s)$, so

        $$dZ = dA \\odot s \\odot (1 - s)$$

        The cache holds $Z$, not $s$: recompute $s$ from it first (the given `sigmoid` returns a pair,
        so keep only its first element if you use it).

        | | name | shape |
        |---|---|---|
        | input | `dA`, the gradient with respect to $A$ | $(n, m)$ |
        | input | `cache`, the pre-activation `Z` | $(n, m)$ |
        | output | `dZ`, the gradient with respect to $Z$ | $(n, m)$ |

        Common mistakes:
        - applying the activation to `dA` (taking `sigmoid(dA)`) instead of multiplying `dA` by the
          activation's derivative;
        - using $Z (1 - Z)$ instead of $s (1 - s)$.
        """),
    "linear_backward": dedent("""\
        Now back through $Z = W A_{prev} + b$. Given $dZ$, the gradients are

        $$dW = \\frac{1}{m}\\, dZ\\, A_{prev}^{T}, \\qquad
        db = \\frac{1}{m} \\sum_{i=1}^{m} dZ^{(i)}, \\qquad
        dA_{prev} = W^{T} dZ$$

        - $db$ sums $dZ$ over the examples, that is across the columns (`axis=1`), and keeps a column
          shape $(n, 1)$ (`keepdims=True`).
        - The $\\frac{1}{m}$ belongs to $dW$ and $db$ only. The cost averages over the examples, and the
          parameters are shared by all of them, so their gradients gather that average. $dA_{prev}$
          stays one column per example: it travels further back and is averaged once, when it reaches
          an earlier layer's $dW$ and $db$.

        | | name | shape |
        |---|---|---|
        | input | `dZ`, the gradient with respect to $Z$ | $(n, m)$ |
        | input | `cache`, the tuple `(A_prev, W, b)` | $(n_{prev}, m)$, $(n, n_{prev})$, $(n, 1)$ |
        | output | `dA_prev`, the gradient with respect to $A_{prev}$ | $(n_{prev}, m)$ |
        | output | `dW`, the gradient of the cost with respect to $W$ | $(n, n_{prev})$ |
        | output | `db`, the gradient of the cost with respect to $b$ | $(n, 1)$ |

        Common mistakes:
        - dividing `dA_prev` by $m$: earlier layers then get gradients $m$ times too small, once more
          for every layer they are behind;
        - summing `db` over axis 0, which adds up the units of each example instead of the examples of
          each unit (and forgetting `keepdims` gives shape $(n,)$ instead of $(n, 1)$);
        - thinking in the row-per-example layout ($Z = A W$, hence $dW = A_{prev}^{T} dZ$): here the
          examples are columns, so $dW = dZ\\, A_{prev}^{T}$ and its shape matches $W$'s.
        """),
    "linear_activation_backward": dedent("""\
        One layer backwards undoes the forward steps in reverse order: first the activation, then the
        linear step.

        $$dZ = dA \\odot g'(Z), \\qquad (dA_{prev}, dW, db) = \\text{linear\\_backward}(dZ, \\text{linear\\_cache})$$

        The layer's cache is `(linear_cache, Z)`: give `Z` to `relu_backward` or `sigmoid_backward`
        (whichever matches `activation`) and `linear_cache` to `linear_backward`.

        | | name | shape |
        |---|---|---|
        | input | `dA`, the gradient with respect to this layer's output | $(n^{[l]}, m)$ |
        | input | `cache`, the pair `((A_prev, W, b), Z)` | |
        | input | `activation`, the string `"relu"` or `"sigmoid"` | |
        | output | `dA_prev`, the gradient with respect to $A^{[l-1]}$ | $(n^{[l-1]}, m)$ |
        | output | `dW` | $(n^{[l]}, n^{[l-1]})$ |
        | output | `db` | $(n^{[l]}, 1)$ |

        Common mistakes:
        - applying the activation to `dA` instead of multiplying by its derivative (let
          `relu_backward` and `sigmoid_backward` do that part);
        - skipping the activation step and giving `dA` straight to `linear_backward`;
        - handing the whole layer cache to a function that expects only one half of it.
        """),
    "L_model_backward": dedent("""\
        The backward pass of the whole network starts at the cost. The derivative of the loss with
        respect to the predictions is, element by element,

        $$dA^{[L]} = -\\left( \\frac{Y}{A^{[L]}} - \\frac{1 - Y}{1 - A^{[L]}} \\right)$$

        Then go through the layers from $L$ down to 1: layer $L$ with the sigmoid and `caches[L-1]`, the
        others with ReLU. Layer $l$ takes $dA^{[l]}$ and returns $dA^{[l-1]}$, $dW^{[l]}$ and $db^{[l]}$.

        **Key convention:** store them as `grads["dA{l-1}"]`, `grads["dW{l}"]` and `grads["db{l}"]`.
        `dA{l-1}` is the gradient with respect to $A^{[l-1]}$, the input of layer $l$, so the keys run
        `dA0` ... `dA{L-1}` (`dA0` is the gradient with respect to $X$).

        | | name | shape |
        |---|---|---|
        | input | `AL`, the output of `L_model_forward` | $(1, m)$ |
        | input | `Y`, the true labels | $(1, m)$ |
        | input | `caches`, the list of $L$ layer caches | |
        | output | `grads["dA{l-1}"]` | $(n^{[l-1]}, m)$ |
        | output | `grads["dW{l}"]` | $(n^{[l]}, n^{[l-1]})$ |
        | output | `grads["db{l}"]` | $(n^{[l]}, 1)$ |

        Common mistakes:
        - writing $\\frac{1 - Y}{A^{[L]}}$ instead of $\\frac{1 - Y}{1 - A^{[L]}}$ in $dA^{[L]}$;
        - storing layer $l$'s input gradient under `dA{l}` instead of `dA{l-1}`;
        - using ReLU for the last layer, or the sigmoid for the hidden ones;
        - dividing $dA^{[L]}$ by $m$: `linear_backward` already averages $dW$ and $db$.
        """),
    "update_parameters": dedent("""\
        Finally, one step of gradient descent moves every parameter a little against its gradient, with
        learning rate $\\alpha$:

        $$W^{[l]} \\leftarrow W^{[l]} - \\alpha\\, dW^{[l]}, \\qquad
        b^{[l]} \\leftarrow b^{[l]} - \\alpha\\, db^{[l]} \\qquad \\text{for } l = 1, \\dots, L$$

        Return the updated parameters in a dict with the same keys. Building new arrays rather than
        updating the given ones in place leaves the caller's `params` untouched.

        | | name | shape |
        |---|---|---|
        | input | `params["W{l}"]`, `params["b{l}"]` | $(n^{[l]}, n^{[l-1]})$ and $(n^{[l]}, 1)$ |
        | input | `grads["dW{l}"]`, `grads["db{l}"]` | the same shapes as the parameters |
        | input | `learning_rate`, $\\alpha$ | a positive float |
        | output | `parameters["W{l}"]`, `parameters["b{l}"]` | unchanged shapes |
        """),
}

CLOSING = dedent("""\
    ## Grade everything

    When every check above passes, run `grade Building_your_Deep_Neural_Network.ipynb` in a terminal
    to grade the whole notebook (`grade --watch ...` grades it again every time you save it).
    """)


@dataclass(frozen=True)
class SolutionRegion:
    function_name: str
    begin_line: int  # index of the BEGIN marker line
    end_line: int  # index of the END marker line
    indent: str


def solution_source() -> str:
    return SOLUTION_PATH.read_text(encoding="utf-8")


def solution_regions(source: str) -> list:
    """Every solution region of the source, in file order; malformed markers are an error, not a guess."""
    regions = []
    function_name = None
    begin_line = None
    indent = ""
    for index, line in enumerate(source.splitlines()):
        definition = TOP_LEVEL_DEF.match(line)
        if definition:
            function_name = definition.group(1)
        marker = line.strip()
        if marker == BEGIN_MARKER:
            if begin_line is not None:
                raise ValueError(f"line {index + 1}: solution region opened inside another one")
            if function_name is None:
                raise ValueError(f"line {index + 1}: solution region outside any function")
            begin_line = index
            indent = line[: len(line) - len(line.lstrip())]
        elif marker == END_MARKER:
            if begin_line is None:
                raise ValueError(f"line {index + 1}: solution region closed but never opened")
            regions.append(SolutionRegion(function_name, begin_line, index, indent))
            begin_line = None
    if begin_line is not None:
        raise ValueError(f"line {begin_line + 1}: solution region never closed")
    return regions


def graded_function_names(source: str) -> list:
    return list(dict.fromkeys(region.function_name for region in solution_regions(source)))


def stub_lines(region: SolutionRegion) -> list:
    return [
        f"{region.indent}# YOUR CODE HERE",
        f'{region.indent}raise NotImplementedError("{region.function_name}: replace this line with your code")',
    ]


def student_module_source() -> str:
    """The reference module with every solution region replaced by a stub."""
    source = solution_source()
    lines = source.splitlines()
    # Replace from the bottom up so the line numbers of the regions still to do stay valid.
    for region in reversed(solution_regions(source)):
        lines[region.begin_line: region.end_line + 1] = stub_lines(region)
    return "\n".join(lines) + "\n"


def function_sources(source: str) -> dict:
    """Each top-level function's source text, by name, in file order."""
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def given_functions_source(source: str) -> str:
    graded = set(graded_function_names(source))
    given = [text for name, text in function_sources(source).items() if name not in graded]
    return "\n\n\n".join(given)


def lesson(number: int, function_name: str) -> str:
    return f"## {number}. `{function_name}`\n\n{LESSONS[function_name]}"


def check_lessons_cover(graded_names: list) -> None:
    """A lesson per graded function and none for anything else, so a new exercise cannot go untaught."""
    untaught = [name for name in graded_names if name not in LESSONS]
    orphaned = [name for name in LESSONS if name not in graded_names]
    if untaught or orphaned:
        raise ValueError(f"lessons out of step with the solutions: untaught {untaught}, orphaned {orphaned}")


def notebook_cells() -> list:
    """The cells as (kind, source) pairs, in order."""
    solution = solution_source()
    graded_names = graded_function_names(solution)
    check_lessons_cover(graded_names)
    stubs = function_sources(student_module_source())
    cells = [
        ("markdown", INTRO),
        ("code", "import numpy as np\n\nfrom grader import check"),
        ("code", given_functions_source(solution)),
    ]
    for number, name in enumerate(graded_names, start=1):
        cells += [("markdown", lesson(number, name)), ("code", stubs[name]), ("code", f"check({name})")]
    cells.append(("markdown", CLOSING))
    return cells


def new_cell(kind: str, source: str, cell_id: str) -> nbformat.NotebookNode:
    source = source.rstrip("\n")
    if kind == "markdown":
        return v4.new_markdown_cell(source, id=cell_id)
    return v4.new_code_cell(source, id=cell_id)


def student_notebook() -> nbformat.NotebookNode:
    notebook = v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    # Fixed ids instead of nbformat's random ones, so regenerating gives byte-identical files.
    notebook.cells = [
        new_cell(kind, source, f"cell-{number:02d}")
        for number, (kind, source) in enumerate(notebook_cells(), start=1)
    ]
    nbformat.validate(notebook)
    return notebook


def notebook_text() -> str:
    text = nbformat.writes(student_notebook())
    return text if text.endswith("\n") else text + "\n"


def generated_files() -> dict:
    return {STUDENT_MODULE_PATH: student_module_source(), NOTEBOOK_PATH: notebook_text()}


def stale_files() -> list:
    return [
        path for path, text in generated_files().items()
        if not path.is_file() or path.read_bytes() != text.encode("utf-8")
    ]


def write_files() -> None:
    for path, text in generated_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether the committed student files are up to date")
    arguments = parser.parse_args(argv)
    if not arguments.check:
        write_files()
        return 0
    stale = stale_files()
    if stale:
        names = ", ".join(str(path.relative_to(REPO_ROOT)) for path in stale)
        print(f"stale: {names} (run python tools/generate_exercises.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
