"""`ape run calibrate monte-carlo` refuses a bad option or parameter set in one line, before any worker starts."""

import pytest

from support.commands import assert_one_line, invoke


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--candidates", "current,c0.8"], "--candidates: 'c0.8' is not a parameter set"),
        (["--paths", "gbm,nowhere"], "--paths: 'nowhere' is not a path"),
        (["--seeds", "1,x"], "--seeds: 'x' is not a non-negative integer"),
        (["--candidates", "c1-m0.8"], "parameter set c1-m0.8: "),
    ],
)
def test_monte_carlo__bad_option__one_line_and_exit_1(tmp_path, args, expected):
    outcome = invoke("calibrate", "monte-carlo", *args, "--out", str(tmp_path))
    assert_one_line(outcome.returncode, outcome.output, expected)
