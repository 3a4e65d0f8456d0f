"""A class is prepared once (cases, reference answers, encoded calls) and every student is graded with it;
the cases come from a seed, the same in every process."""
import os
import subprocess
import sys

import numpy as np
from batch_class import write_submission
from hypothesis import given
from hypothesis import strategies as st

from grader.checks.compare import Draws
from grader.grade import grade, prepare
from grader.report.text import to_dict


def test_students_graded_with_one_preparation_get_what_grading_each_alone_gives(tmp_path, spawn_worker):
    prepared = prepare(5)
    for variant in ("db_wrong_axis", "correct", "relu_of_gradient", "stub", "cost_over_m_plus_1", "correct"):
        path = str(write_submission(tmp_path, variant, variant))
        assert to_dict(grade(path, prepared=prepared, spawn=spawn_worker)) == to_dict(
            grade(path, seed=5, spawn=spawn_worker))


def test_a_seed_draws_the_same_cases_in_every_process():
    program = ("from grader.checks.compare import Draws; d = Draws('7:3'); "
               "print(d.standard_normal((2, 3)).tolist(), d.choice([-1.0, 0.5], (2,)).tolist(), "
               "d.uniform(0.1, 0.9, (1, 2)).tolist(), d.integers(0, 2, (1, 4)).tolist())")
    outputs = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": salt}).stdout for salt in ("1", "2")}
    assert len(outputs) == 1


@given(st.integers(0, 2**32), st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_draws_have_the_shape_and_range_asked_for(seed, shape):
    draws = Draws(seed)
    assert draws.standard_normal(tuple(shape)).shape == tuple(shape)
    assert set(np.unique(draws.choice([-1.0, 0.5], tuple(shape)))) <= {-1.0, 0.5}
    uniform = draws.uniform(0.05, 0.95, tuple(shape))
    assert uniform.shape == tuple(shape) and ((0.05 <= uniform) & (uniform <= 0.95)).all()
    integers = draws.integers(0, 2, tuple(shape))
    assert integers.dtype.kind == "i" and set(np.unique(integers)) <= {0, 1}
