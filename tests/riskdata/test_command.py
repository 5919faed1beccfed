"""`ape run risk propose`: the table of proposals with method and inputs, the JSON file, and one-line errors (the
command reads files only and never reaches a network, so its failures are tested here, not in test_cli_errors)."""

import json
from pathlib import Path

import pytest

from ballast.riskdata.history import load_csv
from ballast.riskdata.proposals import Settings, propose

from support.commands import assert_one_line, invoke

ROOT = Path(__file__).resolve().parents[2]
ETH = ROOT / "data/crashes/eth_2022-11-09.csv"
BTC = ROOT / "data/crashes/btc_2022-11-09.csv"


def test_propose__eth_csv__prints_each_parameter_with_method_and_inputs(monkeypatch):
    monkeypatch.setenv("COLUMNS", "240")  # rich wraps cells to the terminal's width
    outcome = invoke("risk", "propose", "--csv", f"WETH={ETH}")
    assert outcome.returncode == 0, outcome.output
    text = " ".join(outcome.output.split())  # the table wraps long cells
    assert "WETH: proposed risk parameters" in text
    for name in ("maint_haircut_bps", "initial_haircut_bps", "stress_shock_bps", "maintenance_margin_bps"):
        assert name in outcome.output
    expected = propose(load_csv(ETH, "WETH"), Settings())
    assert f"{expected.maint_haircut_bps.value} bps" in text
    assert "worst fall within 12 periods x safety factor 1.25" in text
    assert "worst_down=0.103613" in text
    assert "period 300 s (105120 per 365-day year)" in text


def test_propose__json__writes_the_same_values_as_the_table(tmp_path):
    out = tmp_path / "p.json"
    outcome = invoke(
        "risk", "propose", "--csv", f"WETH={ETH}", "--csv", f"WBTC={BTC}", "--depth", "WETH=5000",
        "--horizon", "30m", "--json", str(out),
    )  # fmt: skip
    assert outcome.returncode == 0, outcome.output
    written = json.loads(out.read_text())
    assert [p["asset"] for p in written] == ["WETH", "WBTC"]
    expected = propose(load_csv(ETH, "WETH"), Settings(horizon_seconds=1_800), depth_tokens=5_000)
    assert written[0]["maint_haircut_bps"]["value"] == expected.maint_haircut_bps.value
    assert written[0]["maint_haircut_bps"]["method"] == expected.maint_haircut_bps.method
    assert written[0]["supply_cap"]["value"] == 10_000
    assert written[1]["supply_cap"]["value"] is None
    assert written[0]["estimates"]["horizon_periods"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--csv", "WETH=nope.csv"], "nope.csv: no such price series"),
        (["--csv", "WETH"], "--csv: 'WETH' is not SYMBOL=VALUE"),
        ([], "--csv: give at least one SYMBOL=PATH"),
        (["--csv", f"WETH={ETH}", "--horizon", "soon"], "--horizon: 'soon' is not a duration"),
        (["--csv", f"WETH={ETH}", "--depth", "WBTC=10"], "--depth: WBTC has no --csv"),
        (["--csv", f"WETH={ETH}", "--depth", "WETH=-1"], "--depth: WETH=-1 is not a positive number"),
        (["--csv", f"WETH={ETH}", "--lambda", "1"], "lambda must lie in (0, 1)"),
    ],
)
def test_propose__bad_option__one_line_and_exit_1(args, message):
    outcome = invoke("risk", "propose", *args)
    assert_one_line(outcome.returncode, outcome.output, message)


def test_propose__bad_csv__one_line_naming_the_file_and_exit_1(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("time,price\n2022-01-01,1\n")
    outcome = invoke("risk", "propose", "--csv", f"WETH={path}")
    assert_one_line(outcome.returncode, outcome.output, "bad.csv: unknown columns time,price")


def test_propose__unparseable_price__one_line_naming_the_line_and_exit_1(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("timestamp_utc_iso,price_usd\n2022-01-01T00:00:00Z,1\n2022-01-01T00:05:00Z,-3\n")
    outcome = invoke("risk", "propose", "--csv", f"WETH={path}")
    assert_one_line(outcome.returncode, outcome.output, "line 3: price_usd '-3' is not a positive price")
