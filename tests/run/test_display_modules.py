"""A notebook's plotting and display imports load even where those packages are not installed."""
import importlib.util

import pytest

from batch_class import REFERENCE

PLOTTING = ("import matplotlib.pyplot as plt\nfrom PIL import Image\nimport seaborn as sns\n"
            "plt.rcParams['figure.figsize'] = (5.0, 4.0)\nplt.rcParams['image.interpolation'] = 'nearest'\n"
            "cmap = plt.cm.gray\n")


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is not None, reason="matplotlib is installed here")
def test_missing_plotting_modules_make_no_note_and_cost_nothing(grade_source):
    report = grade_source(PLOTTING + REFERENCE)
    assert report.notes == ()
    assert report.score == report.max_score == 100


def test_a_missing_module_that_is_not_for_display_is_still_reported(grade_source):
    report = grade_source("import no_such_module_for_grading\n" + REFERENCE)
    assert any("No module named 'no_such_module_for_grading'" in note for note in report.notes)
    assert report.score == 100
