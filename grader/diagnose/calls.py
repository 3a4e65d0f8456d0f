"""Which names a student's function reaches: its own, and those of the submission's functions it calls."""
import ast


def reached_names(submission, name):
    """Every name the submission's function `name` uses, directly or through the other functions of the
    submission it calls; None when no top-level definition of it can be read (a syntax error, a lambda)."""
    defined = {}
    for cell in submission.cells:
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        defined.update((node.name, node) for node in tree.body
                       if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    if name not in defined:
        return None
    reached, todo, seen = set(), [name], set()
    while todo:
        current = todo.pop()
        if current in seen or current not in defined:
            continue
        seen.add(current)
        used = {node.id if isinstance(node, ast.Name) else node.attr for node in ast.walk(defined[current])
                if isinstance(node, (ast.Name, ast.Attribute))}
        reached |= used
        todo.extend(used & defined.keys())
    return reached
