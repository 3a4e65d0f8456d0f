"""What an exercise is made of: its signature, its cases, the shape of its outputs, its known mistakes."""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class Arr:
    """An array output. axes names what each axis counts, as keys of the case's dims (e.g. "n", "m")."""

    name: str
    axes: tuple


@dataclass(frozen=True)
class Scalar:
    """A single number: a float or a 0-d array."""

    name: str


@dataclass(frozen=True)
class Seq:
    """A tuple (or list) of a fixed length."""

    name: str
    items: tuple
    kind: str = "tuple"


@dataclass(frozen=True)
class Keys:
    """A dict with exactly these keys (extra keys are reported, never fatal)."""

    name: str
    items: tuple  # of (key, node)


@dataclass(frozen=True)
class Case:
    """One set of inputs. dims maps size names ("n", "m", ...) to their values, to explain shapes."""

    args: tuple
    dims: dict
    label: str = ""


@dataclass(frozen=True)
class Mistake:
    """A known mistake: recognised by what it computes, never by reading the student's source.

    produce(ref, *args) returns what a function with this mistake returns (ref is the reference module).
    A mistake that only changes an input in place has no produce, and names that input's position.
    """

    id: str
    headline: str
    explanation: str
    hint: str
    produce: Optional[Callable] = None
    mutates_input: Optional[int] = None
    at: tuple = ()  # the sizes or indices (m, L, l) the mistake is in: a wrong one of these does not rule it out
    # (exception type, part of its message) when the mistake raises on some cases and is right on the others:
    # an error that specific is proof enough, where no wrong value is returned to compare
    raises: tuple = ()


@dataclass(frozen=True)
class Exercise:
    name: str
    weight: int
    params: tuple
    summary: str
    make_cases: Callable  # (rng) -> list[Case]; the first case is the smallest, with round numbers
    outputs: Callable  # (case) -> output node
    mistakes: tuple = ()
    helpers: tuple = ()  # functions the student's version may call, answered by the reference
    numeric_gradients: Optional[Callable] = None  # (ref, case) -> {output path: central differences}
    adapt: Optional[Callable] = None  # (value, case) -> (value, note): accept an equivalent convention
    in_place_allowed: bool = False
    axis_meanings: dict = field(default_factory=dict)  # dims key -> what one index along it is

    def reference(self, ref, args) -> Any:
        return getattr(ref, self.name)(*args)
