'''Submissions whose function returns the reference's answer with one output corrupted in a known way.

The corruption is written into the submission as a wrapper around the reference function, so the student's
code runs in the worker like any other; the grader only sees wrong outputs it has no name for.
'''
from dataclasses import dataclass

from .sources import reference_source

# (function, the output to corrupt: an index into the returned tuple, a key of the returned dict, or None
# for the whole value, the name the feedback must use for it)
TARGETS = (
    ("linear_forward", 0, "Z"),
    ("linear_activation_forward", 0, "A"),
    ("L_model_forward", 0, "AL"),
    ("compute_cost", None, "cost"),
    ("relu_backward", None, "dZ"),
    ("sigmoid_backward", None, "dZ"),
    ("linear_backward", 0, "dA_prev"),
    ("linear_backward", 1, "dW"),
    ("linear_backward", 2, "db"),
    ("linear_activation_backward", 0, "dA_prev"),
    ("linear_activation_backward", 1, "dW"),
    ("linear_activation_backward", 2, "db"),
    ("L_model_backward", "dA0", "dA0"),
    ("L_model_backward", "dW1", "dW1"),
    ("L_model_backward", "db1", "db1"),
    ("update_parameters", "W1", "W1"),
    ("update_parameters", "b1", "b1"),
)

# kind -> (body of `def corrupt(x)`, needs an array of at least 2 dimensions, needs to sit inside a container)
KINDS = {
    "scale": ("return x * {factor!r}", False, False),
    "one_entry": ("x = np.array(x, dtype=float)\n    x.flat[{index} % x.size] += {delta!r}\n    return x",
                  False, False),
    "transpose": ("return x.T", True, False),
    "zero_row": ("x = np.array(x, dtype=float)\n    x[{index} % x.shape[0]] = 0\n    return x", True, False),
    "extra_dimension": ("return x[np.newaxis]", False, False),
    "as_int": ("return np.asarray(x).astype(int)", False, False),
    "nan_entry": ("x = np.array(x, dtype=float)\n    x.flat[{index} % x.size] = np.nan\n    return x", False, False),
    "none": ("return None", False, True),
}


@dataclass(frozen=True)
class Corruption:
    function: str
    output: object  # index, key or None
    output_name: str
    kind: str
    factor: float = 2.5
    delta: float = 1.0
    index: int = 0

    def body(self):
        return KINDS[self.kind][0].format(factor=self.factor, delta=self.delta, index=self.index)

    def source(self, params):
        """The reference, then a student version of the function that corrupts one of its outputs."""
        name, arguments = self.function, ", ".join(params)
        if self.output is None:
            rebuild = "value = corrupt(value)"
        elif isinstance(self.output, int):
            rebuild = f"value = list(value)\n    value[{self.output}] = corrupt(value[{self.output}])\n" \
                      "    value = tuple(value)"
        else:
            rebuild = f"value = dict(value)\n    value[{self.output!r}] = corrupt(value[{self.output!r}])"
        return (reference_source() + f"\n\nreference_{name} = {name}\n\n\ndef corrupt(x):\n    {self.body()}\n\n\n"
                f"def {name}({arguments}):\n    value = reference_{name}({arguments})\n    {rebuild}\n"
                "    return value\n")
