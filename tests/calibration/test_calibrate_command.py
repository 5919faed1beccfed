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


def test_grids__sizes_and_description():
    from ballast.calibration.plan import FULL, SMALL, grid_with

    assert SMALL.describe() == "2 sets x 2 paths x 1 seed = 4 runs"
    assert FULL.describe() == "10 sets x 7 paths x 3 seeds = 210 runs"
    wider = grid_with(SMALL, paths="replays,gbm", seeds="1,2,2", accounts=50)
    assert wider.paths == ("black-thursday", "eth_2021-05-19", "eth_2022-11-09", "luna_2022-05-10", "gbm")
    assert (wider.seeds, wider.accounts, wider.candidates) == ((1, 2), 50, SMALL.candidates)
