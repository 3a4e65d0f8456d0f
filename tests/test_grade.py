"""A class is prepared once (cases, reference answers, encoded calls) and every student is graded with it."""
from batch_class import write_submission

from grader.grade import grade, prepare
from grader.report import to_dict


def test_students_graded_with_one_preparation_get_what_grading_each_alone_gives(tmp_path, spawn_worker):
    prepared = prepare(5)
    for variant in ("db_wrong_axis", "correct", "relu_of_gradient", "stub", "cost_over_m_plus_1", "correct"):
        path = str(write_submission(tmp_path, variant, variant))
        assert to_dict(grade(path, prepared=prepared, spawn=spawn_worker)) == to_dict(
            grade(path, seed=5, spawn=spawn_worker))
