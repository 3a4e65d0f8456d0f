"""A gradient check of the student's backward pass against their own forward pass, as a diagnostic."""
from ..checks.gradcheck import TOLERANCE
from ..model import Diagnostic


def gradient_diagnostic(gradient):
    against = f"{gradient.backward} against your {gradient.forward}"
    if gradient.skipped:
        return Diagnostic(f"gradient check of {against} skipped: {gradient.skipped}")
    errors = tuple(f"{c.output}: relative error {c.relative_error:.1e}" + (
        f" ({c.problem})" if c.problem else "  <- does not match" if c.relative_error >= TOLERANCE else "")
        for c in gradient.comparisons)
    if gradient.matches:
        return Diagnostic(f"gradient check: {against} agree on {gradient.case}",
                          ("relative errors: " + ", ".join(f"{c.output} {c.relative_error:.0e}"
                                                           for c in gradient.comparisons),))
    return Diagnostic(f"your backward pass does not match your forward pass ({against}, {gradient.case})",
                      errors + (f"numerical derivatives of your {gradient.forward}, nudging each input by 1e-5; "
                                f"a match is a relative error below {TOLERANCE:.0e}",),
                      f"the outputs marked are not the derivative of your {gradient.forward}: redo them with "
                      f"the chain rule (and if your {gradient.forward.split(' ')[0]} is wrong, fix it first)")
