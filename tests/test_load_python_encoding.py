"""A .py file is read as Python reads it: UTF-8, or the encoding its PEP 263 coding comment declares."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.load import LoadError, load_submission

REPO = Path(__file__).resolve().parent.parent
REFERENCE = (REPO / "solutions" / "reference.py").read_text(encoding="utf-8")


def write(tmp_path, data, name="submission.py"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("cookie", ["# -*- coding: latin-1 -*-\n", "#!/usr/bin/env python\n# coding=iso-8859-1\n",
                                    "# vim: set fileencoding=cp1252 :\n"])
def test_a_declared_encoding_is_honoured(tmp_path, cookie):
    source = cookie + '"""Exercices de réseau profond, écrits par Jörg."""\n' + REFERENCE
    submission = load_submission(str(write(tmp_path, source.encode("latin-1"))))
    assert "réseau profond, écrits par Jörg" in submission.cells[0].source


def test_a_latin1_submission_is_graded_in_full(tmp_path):
    source = "# -*- coding: latin-1 -*-\n# Exercice réalisé par Jörg\n" + REFERENCE
    path = write(tmp_path, source.encode("latin-1"))
    result = CliRunner().invoke(main, [str(path), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Score: 100/100" in result.stdout


def test_an_unknown_encoding_is_named(tmp_path):
    path = write(tmp_path, b"# -*- coding: klingon-8 -*-\nx = 1\n")
    with pytest.raises(LoadError) as raised:
        load_submission(str(path))
    assert str(raised.value) == (f"{path}: its coding comment names 'klingon-8', an encoding Python does not know; "
                                 f"use utf-8 (or latin-1)")


def test_text_that_is_not_what_its_coding_says_names_the_byte(tmp_path):
    path = write(tmp_path, b"# coding: ascii\nx = 1\nname = 'J\xc3\xb6rg'\n")
    with pytest.raises(LoadError) as raised:
        load_submission(str(path))
    assert str(raised.value) == f"{path}: not ascii text, as its coding comment says (byte 0xc3 on line 3)"


def test_a_coding_that_contradicts_the_byte_order_mark(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    with pytest.raises(LoadError) as raised:
        load_submission(str(path))
    assert "contradicts the UTF-8 byte order mark" in str(raised.value)


@pytest.mark.parametrize("data, expected", [
    (b"\xef\xbb\xbfx = 1\n", "x = 1\n"),  # a byte order mark is not part of the code
    ("# coding: utf-8\nname = 'Jörg'\r\n".encode(), "# coding: utf-8\nname = 'Jörg'\n"),
    (b"x = 1\n# coding: latin-1\n\xe9 = 2\n", None),  # a coding comment counts on the first two lines only
])
def test_utf8_stays_the_default(tmp_path, data, expected):
    path = write(tmp_path, data)
    if expected is None:
        with pytest.raises(LoadError, match=r"not UTF-8 text \(byte 0xe9 on line 3\)"):
            load_submission(str(path))
    else:
        assert load_submission(str(path)).cells[0].source == expected
