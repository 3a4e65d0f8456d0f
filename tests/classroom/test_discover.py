"""Finding the submissions of a class and whose each one is, in every layout courses hand in (no grading here)."""
import os
import re
import zipfile

import pytest
from batch_class import write_submission

from grader.classroom.discover import discover, student_pattern


def students(discovery):
    return {s.student: os.path.basename(s.path) for s in discovery.submissions}


def skipped_reasons(discovery):
    return {os.path.basename(s.shown.rstrip("/")): s.reason for s in discovery.skipped}


def test_flat_folder_names_students_by_file_and_skips_other_files(tmp_path):
    write_submission(tmp_path, "alice", "correct", "py")
    write_submission(tmp_path, "bob", "stub", "ipynb")
    (tmp_path / "notes.txt").write_text("grading notes")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "dnn_utils.py").write_text("def sigmoid(Z): pass")
    found = discover([str(tmp_path)])
    assert students(found) == {"alice": "alice.py", "bob": "bob.ipynb"}
    reasons = skipped_reasons(found)
    assert "not a .py file" in reasons["notes.txt"]
    assert reasons[".DS_Store"] == "hidden file"
    assert "course helper" in reasons["dnn_utils.py"]


def test_nbgrader_layout_uses_the_student_folder(tmp_path):
    course = tmp_path / "course"
    write_submission(course / "submitted" / "alice" / "assignment1", "a", "correct", "ipynb", name="Deep.ipynb")
    write_submission(course / "submitted" / "bob" / "assignment1", "b", "stub", "py", name="deep_network.py")
    (course / "submitted" / "bob" / "assignment1" / "timestamp.txt").write_text("2024-01-01 10:00:00")
    write_submission(course / "source" / "assignment1", "teacher", "correct", "ipynb", name="Deep.ipynb")
    found = discover([str(course)])
    assert students(found) == {"alice": "Deep.ipynb", "bob": "deep_network.py"}
    assert "nbgrader's own folder" in skipped_reasons(found)["source"]
    assert "timestamp.txt" in skipped_reasons(found)


def test_the_submitted_folder_itself_can_be_given(tmp_path):
    write_submission(tmp_path / "submitted" / "carol" / "hw", "c", "correct", "py", name="hw.py")
    assert students(discover([str(tmp_path / "submitted")])) == {"carol": "hw.py"}


def test_canvas_download_names_the_student_in_the_file_name(tmp_path):
    write_submission(tmp_path, "x", "correct", "ipynb", name="doejane_12345_678901_Building_your_Deep_Neural_Network.ipynb")
    write_submission(tmp_path, "y", "stub", "py", name="smithjohn_late_23456_789012_deep_network.py")
    assert set(students(discover([str(tmp_path)]))) == {"doejane", "smithjohn"}


def test_blackboard_attempts_keep_the_latest(tmp_path):
    write_submission(tmp_path, "old", "stub", "py", name="HW1_jdoe_attempt_2024-01-01-10-11-12_deep.py")
    write_submission(tmp_path, "new", "stub", "py", name="HW1_jdoe_attempt_2024-01-02-09-00-00_deep.py")
    found = discover([str(tmp_path)])
    assert students(found) == {"jdoe": "HW1_jdoe_attempt_2024-01-02-09-00-00_deep.py"}
    assert "newer" in skipped_reasons(found)["HW1_jdoe_attempt_2024-01-01-10-11-12_deep.py"]


def test_a_configured_pattern_names_students_and_skips_files_it_does_not_match(tmp_path):
    write_submission(tmp_path, "a", "correct", "py", name="hw1-alice.py")
    write_submission(tmp_path, "b", "correct", "ipynb", name="hw1-bob.ipynb")
    write_submission(tmp_path, "c", "correct", "py", name="scratch.py")
    found = discover([str(tmp_path)], student_pattern(r"hw1-(?P<student>\w+)"))
    assert set(students(found)) == {"alice", "bob"}
    assert "does not match --student-pattern" in skipped_reasons(found)["scratch.py"]


def test_a_pattern_without_a_group_is_refused():
    with pytest.raises(ValueError, match="group"):
        student_pattern(r"hw1-\w+")
    with pytest.raises(ValueError, match="regular expression"):
        student_pattern(r"hw1-(")


def test_folder_per_student_with_the_submission_anywhere_inside(tmp_path):
    write_submission(tmp_path / "alice" / "work", "a", "correct", "py", name="main.py")
    write_submission(tmp_path / "bob", "b", "correct", "ipynb", name="nb.ipynb")
    write_submission(tmp_path / "bob" / ".ipynb_checkpoints", "b", "stub", "ipynb", name="nb-checkpoint.ipynb")
    write_submission(tmp_path / "Carol Jones_123456_assignsubmission_file_", "c", "stub", "ipynb", name="x.ipynb")
    assert students(discover([str(tmp_path)])) == {"alice": "main.py", "bob": "nb.ipynb", "Carol Jones": "x.ipynb"}


def test_a_student_folder_with_several_files_grades_the_one_with_the_exercises(tmp_path):
    write_submission(tmp_path / "alice", "a", "correct", "ipynb", name="work.ipynb")
    (tmp_path / "alice" / "plot_helpers.py").write_text("def plot(x):\n    return x\n")
    found = discover([str(tmp_path)])
    assert students(found) == {"alice": "work.ipynb"}  # a class of one: alice's folder is no mere wrapper
    write_submission(tmp_path / "bob", "b", "correct", "py", name="bob.py")
    found = discover([str(tmp_path)])
    assert students(found) == {"alice": "work.ipynb", "bob": "bob.py"}
    assert "defines more of the exercises" in skipped_reasons(found)["plot_helpers.py"]


def test_zip_of_a_wrapped_flat_folder_is_unpacked_safely(tmp_path):
    source = tmp_path / "src"
    write_submission(source, "alice", "correct", "py")
    write_submission(source, "bob", "stub", "ipynb")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(source / "alice.py", "hw1/alice.py")
        zipped.write(source / "bob.ipynb", "hw1/bob.ipynb")
        zipped.writestr("__MACOSX/hw1/._alice.py", b"\0\1")
        zipped.writestr("../escape.py", "print('outside')")
        zipped.writestr("hw1/report.pdf", b"%PDF")
    unpacked = tmp_path / "unpacked"
    found = discover([str(archive)], unpack_into=str(unpacked))
    assert students(found) == {"alice": "alice.py", "bob": "bob.ipynb"}
    assert all(s.shown.startswith("class.zip:") for s in found.submissions)
    assert not (tmp_path / "escape.py").exists() and not any(p.name == "escape.py" for p in unpacked.rglob("*"))
    reasons = {s.shown: s.reason for s in found.skipped}
    assert reasons["class.zip:../escape.py"] == "a path outside the archive"
    assert "not a .py file" in reasons["class.zip:hw1/report.pdf"]


def test_a_corrupt_zip_is_skipped_not_fatal(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\3\4 not really")
    write_submission(tmp_path, "alice", "correct", "py")
    found = discover([str(tmp_path / "broken.zip"), str(tmp_path / "alice.py")], unpack_into=str(tmp_path / "u"))
    assert students(found) == {"alice": "alice.py"}
    assert re.match("cannot read this zip file", skipped_reasons(found)["broken.zip"])


def test_several_files_given_one_by_one(tmp_path):
    paths = [str(write_submission(tmp_path, name, "correct", "py")) for name in ("dan", "erin")]
    found = discover(paths + [str(tmp_path / "missing.py")])
    assert students(found) == {"dan": "dan.py", "erin": "erin.py"}
    assert skipped_reasons(found)["missing.py"] == "no such file or folder"
