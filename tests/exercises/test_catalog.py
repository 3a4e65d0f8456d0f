"""The exercise catalog is consistent: signatures are the reference's, weights are data adding to 100."""
import inspect

from grader.exercises import EXERCISES, SIGNATURES
from solutions import reference


def test_signatures_sent_to_the_worker_are_the_reference_functions_parameters():
    for name, params in SIGNATURES.items():
        assert params == tuple(inspect.signature(getattr(reference, name)).parameters), name


def test_mistake_ids_are_unique_and_messages_complete():
    ids = [mistake.id for exercise in EXERCISES for mistake in exercise.mistakes]
    assert len(ids) == len(set(ids)) >= 40
    for exercise in EXERCISES:
        for mistake in exercise.mistakes:
            assert mistake.headline and mistake.explanation and mistake.hint
            assert (mistake.produce is None) != (mistake.mutates_input is None)


def test_cases_cover_the_shapes_that_expose_layout_mistakes():
    import numpy as np

    for exercise in EXERCISES:
        cases = exercise.make_cases(np.random.default_rng(0))
        dims = [case.dims for case in cases]
        assert any(d.get("m") == 1 for d in dims) or "m" not in dims[0], exercise.name
        assert len(cases) >= 5, exercise.name
