"""Which names a student's function reaches: its own, and those of the submission's functions it calls."""
import ast


def definitions(submission):
    """The submission's top-level function definitions by name (cells that do not parse are left out)."""
    defined = {}
    for cell in submission.cells:
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        defined.update((node.name, node) for node in tree.body
                       if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return defined


def reached_names(defined, name):
    """Every name the function `name` of defined (definitions) uses, directly or through the other functions
    of defined it calls; None when it has no top-level definition there (a syntax error, a lambda)."""
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
