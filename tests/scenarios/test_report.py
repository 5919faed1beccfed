"""The scenario report from synthetic results (no chain): summary.md, metrics.csv, the PNG plots and the terminal
tables; deterministic bytes, an empty run, and scenario names that are unsafe as directory names."""

import csv
import math

import pytest
from PIL import Image
from rich.console import Console

from ballast.scenarios.formatting import fmt_health, fmt_pct, fmt_usd
from ballast.scenarios.model import (
    HEALTH_BUCKETS,
    AssetBlock,
    BlockMetrics,
    Outcome,
    PropertyResult,
    ScenarioResult,
    Verdict,
)
from ballast.scenarios.plots import PLOTS, _status_runs
from ballast.scenarios.report import print_summary, slugify, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_NAMES = [name for name, _ in PLOTS]
BUCKETS = [name for name, _ in HEALTH_BUCKETS] + ["flat"]
BUCKET_COLUMNS = [
    "accounts_health_below_1",
    "accounts_health_1_to_1_25",
    "accounts_health_1_25_to_2",
    "accounts_health_2_or_more",
    "accounts_flat",
]
#: metrics.csv column -> the BlockMetrics field it holds (block by block).
SCALARS = {
    "liquidatable_accounts": "liquidatable",
    "liquidations": "liquidations",
    "liquidated_notional_usd": "liquidated_notional",
    "keeper_rewards_usd": "keeper_rewards",
    "keeper_gas_used": "keeper_gas",
    "keeper_gas_budget": "keeper_gas_budget",
    "bad_debt_usd": "deficits",
    "bad_debt_cumulative_usd": None,
    "lp_loss_usd": "lp_loss",
    "lp_loss_cumulative_usd": None,
    "insurance_balance_usd": "insurance_balance",
    "lp_share_price_usd": "lp_share_price",
    "pool_utilization_ratio": "utilization",
    "worst_health_ratio": "worst_health",
    "open_deficit_usd": "open_deficit",
}
ASSET_COLUMNS = ["oracle_median_usd", "oracle_twap_usd", "oracle_status", "path_price_usd"]
WETH_STATUSES = ["Ok", "Ok", "Deviated", "Deviated", "Stale", "Frozen", "Ok"]
LIQUIDATIONS = [0, 0, 3, 0, 5, 1, 0]
DEFICITS = [0.0, 0.0, 0.0, 0.0, 2_500.25, 0.0, 0.0]


def make_block(i: int) -> BlockMetrics:
    weth = 2_000.0 * (1 - 0.05 * i)
    return BlockMetrics(
        block=i,
        timestamp=1_700_000_000 + 12 * i,
        assets={
            "WETH": AssetBlock(
                median=weth, twap=weth * 1.01, status=WETH_STATUSES[i], path_price=weth * 0.99
            ),
            "USDC": AssetBlock(median=1.0, twap=1.0, status="Ok", path_price=1.0 - 0.001 * i),
        },
        health_buckets={BUCKETS[0]: i % 3, BUCKETS[1]: 2, BUCKETS[2]: 4, BUCKETS[3]: 10 - i, "flat": 1 + i},
        liquidatable=i % 3,
        liquidations=LIQUIDATIONS[i],
        liquidated_notional=12_345.678 * LIQUIDATIONS[i],
        keeper_rewards=61.5 * LIQUIDATIONS[i],
        keeper_gas=310_000 * LIQUIDATIONS[i],
        keeper_gas_budget=3_000_000 if i else 0,
        lp_loss=100.0 if i == 4 else 0.0,
        deficits=DEFICITS[i],
        insurance_balance=50_000.0 - sum(DEFICITS[: i + 1]),
        lp_share_price=1.0 + 0.0001 * i,
        utilization=0.1 * i,
        worst_health=0.85 + 0.1 * i if i < 6 else math.inf,
        open_deficit=1_250.5 * (i % 3),
    )


def make_result(scenario: str = "crash", blocks: int = len(WETH_STATUSES)) -> ScenarioResult:
    rows = [make_block(i) for i in range(blocks)]
    outcome = Outcome(
        liquidations=sum(r.liquidations for r in rows),
        liquidated_notional=sum(r.liquidated_notional for r in rows),
        keeper_rewards=sum(r.keeper_rewards for r in rows),
        deficits=sum(r.deficits for r in rows),
        insurance_used=sum(r.deficits for r in rows),
        lp_loss=0.0,
        max_utilization=max((r.utilization for r in rows), default=0.0),
        worst_health=min((r.worst_health for r in rows), default=math.inf),
        blocks=len(rows),
        transactions=12_345,
        wall_seconds=3.4,
        blocks_to_clear=None,
    )
    return ScenarioResult(
        scenario=scenario,
        seed=7,
        description="A linear WETH crash with a manipulated source.",
        parameters={"accounts": 30, "keeper gas": 3_000_000, "path": {"kind": "linear", "drop": -0.3}},
        blocks=rows,
        properties=[
            PropertyResult(
                "no liquidation at a manipulated price", Verdict.PASS, "0 of 9 liquidations while Deviated"
            ),
            PropertyResult(
                "LP loss only after the InsuranceFund is empty", Verdict.FAIL, "LP lost $1 | at block 4"
            ),
        ],
        outcome=outcome,
        events=[(4, "WETH source 1 stale"), (2, "WETH source 0 manipulated +50 %")],
    )


@pytest.fixture(scope="module")
def result():
    """Shared, read-only: a test that changes a result builds its own with make_result()."""
    return make_result()


@pytest.fixture(scope="module")
def report(result, tmp_path_factory):
    """The report of `result`, written once for the module's read-only checks."""
    return write_report(result, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def summary(report):
    """The text of `report`'s summary.md."""
    return (report / "summary.md").read_text()


def read_metrics(directory):
    with (directory / "metrics.csv").open(newline="") as handle:
        return list(csv.reader(handle))


# --------------------------------------------------------------------------------------------------- files


def test_write_report__synthetic_run__writes_every_file_into_scenario_seed_dir(report):
    assert report.name == "crash-7"
    for name in ["summary.md", "metrics.csv", *PNG_NAMES]:
        assert (report / name).is_file(), name
        assert (report / name).stat().st_size > 0, name


def test_write_report__missing_root__is_created(result, tmp_path):
    directory = write_report(result, tmp_path / "a" / "b")
    assert directory.parent == tmp_path / "a" / "b"
    assert (directory / "summary.md").is_file()


def test_write_report__plots__are_valid_pngs(report):
    for name in PNG_NAMES:
        data = (report / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        with Image.open(report / name) as image:
            image.verify()
        with Image.open(report / name) as image:
            assert image.format == "PNG"
            assert image.width > 500 and image.height > 300, (name, image.size)


# ---------------------------------------------------------------------------------------------- metrics.csv


def test_metrics_csv__header__is_block_timestamp_assets_buckets_scalars(report):
    header = read_metrics(report)[0]
    expected = ["block", "timestamp_unix_s", "timestamp_utc"]
    for symbol in ("weth", "usdc"):
        expected += [f"{symbol}_{c}" for c in ASSET_COLUMNS]
    assert header == expected + BUCKET_COLUMNS + list(SCALARS)
    assert len(set(header)) == len(header)
    assert all(c == c.lower() and " " not in c for c in header)


def test_metrics_csv__rows__one_per_block_with_the_recorded_values(report, result):
    header, *rows = read_metrics(report)
    assert len(rows) == len(result.blocks)
    for cells, block in zip(rows, result.blocks, strict=True):
        row = dict(zip(header, cells, strict=True))
        assert int(row["block"]) == block.block
        assert int(row["timestamp_unix_s"]) == block.timestamp
        for symbol, asset in block.assets.items():
            symbol = symbol.lower()
            assert float(row[f"{symbol}_oracle_median_usd"]) == asset.median
            assert float(row[f"{symbol}_oracle_twap_usd"]) == asset.twap
            assert row[f"{symbol}_oracle_status"] == asset.status
            assert float(row[f"{symbol}_path_price_usd"]) == asset.path_price
        for bucket, column in zip(BUCKETS, BUCKET_COLUMNS, strict=True):
            assert int(row[column]) == block.health_buckets[bucket]
        for column, name in SCALARS.items():
            if name is not None:
                assert float(row[column]) == float(getattr(block, name)), column
    assert rows[0][header.index("timestamp_utc")] == "2023-11-14T22:13:20Z"  # 1_700_000_000
    assert rows[-1][header.index("timestamp_utc")] == "2023-11-14T22:14:32Z"  # 72 s later
    assert [r[header.index("weth_oracle_status")] for r in rows] == WETH_STATUSES
    assert rows[-1][header.index("worst_health_ratio")] == "inf"
    cumulative = [float(r[header.index("bad_debt_cumulative_usd")]) for r in rows]
    assert cumulative == [0.0] * 4 + [2_500.25] * 3
    assert [float(r[header.index("lp_loss_cumulative_usd")]) for r in rows] == [0.0] * 4 + [100.0] * 3


def test_metrics_csv__asset_missing_in_a_block__leaves_its_cells_empty(tmp_path):
    result = make_result()
    first = result.blocks[0]
    result.blocks[0] = BlockMetrics(**{**first.__dict__, "assets": {"WETH": first.assets["WETH"]}})
    header, *rows = read_metrics(write_report(result, tmp_path))
    assert (
        rows[0][header.index("usdc_oracle_median_usd") : header.index("usdc_path_price_usd") + 1] == [""] * 4
    )
    assert float(rows[1][header.index("usdc_oracle_median_usd")]) == result.blocks[1].assets["USDC"].median


# ----------------------------------------------------------------------------------------------- summary.md


def test_summary__outcome__shows_the_values_formatted_for_people(summary, result):
    outcome = result.outcome
    assert summary.startswith("# Scenario crash, seed 7\n")
    assert result.description in summary
    assert f"| liquidations | {outcome.liquidations:,} |" in summary
    assert f"| liquidated notional | ${outcome.liquidated_notional:,.2f} |" in summary
    assert f"| keeper rewards | ${outcome.keeper_rewards:,.2f} |" in summary
    assert f"| deficits (bad debt) | ${outcome.deficits:,.2f} |" in summary
    assert f"| insurance used | ${outcome.insurance_used:,.2f} |" in summary
    assert "| LP loss | $0.00 |" in summary
    assert f"| maximum utilization | {outcome.max_utilization * 100:.2f} % |" in summary
    assert f"| worst health | {outcome.worst_health:,.3f} |" in summary
    assert f"| blocks | {len(result.blocks)} |" in summary
    assert "| transactions | 12,345 |" in summary
    assert "| wall time | 3.4 s |" in summary
    assert "| blocks to clear | never |" in summary


def test_summary__parameters__are_tabled_with_the_seed(summary):
    assert "| seed | 7 |" in summary
    assert "| accounts | 30 |" in summary
    assert "| keeper gas | 3000000 |" in summary
    assert "| path | kind=linear, drop=-0.3 |" in summary


def test_summary__verdicts__listed_with_details_and_pipes_escaped(summary):
    assert "| no liquidation at a manipulated price | PASS | 0 of 9 liquidations while Deviated |" in summary
    assert "| LP loss only after the InsuranceFund is empty | FAIL | LP lost $1 \\| at block 4 |" in summary
    assert "**FAIL: 1 of 2 properties failed**" in summary


def test_summary__timeline__events_in_block_order(summary):
    manipulated = summary.index("- block 2 (22:13:44 UTC): WETH source 0 manipulated +50 %")
    stale = summary.index("- block 4 (22:14:08 UTC): WETH source 1 stale")
    assert manipulated < stale


def test_summary__plots__linked_relatively_as_images(report, summary):
    for name, caption in PLOTS:
        assert f"![{caption}]({name})" in summary
    assert "[metrics.csv](metrics.csv)" in summary
    assert str(report) not in summary


def test_summary__no_positions_left__worst_health_shows_dash(tmp_path):
    result = make_result()
    result.outcome = Outcome(**{**result.outcome.__dict__, "worst_health": math.inf, "blocks_to_clear": 3})
    summary = (write_report(result, tmp_path) / "summary.md").read_text()
    assert "| worst health | - |" in summary
    assert "| blocks to clear | 3 |" in summary


# ---------------------------------------------------------------------------------------------- determinism


def test_write_report__same_result_twice__identical_summary_and_metrics(result, tmp_path):
    first = write_report(result, tmp_path / "one")
    snapshot = {name: (first / name).read_bytes() for name in ("summary.md", "metrics.csv")}
    again = write_report(result, tmp_path / "one")
    other = write_report(make_result(), tmp_path / "two")
    for name, data in snapshot.items():
        assert (again / name).read_bytes() == data, name
        assert (other / name).read_bytes() == data, name


# ------------------------------------------------------------------------------------------- edge cases


def test_write_report__empty_run__writes_summary_and_header_only_csv(tmp_path):
    empty = ScenarioResult(scenario="nothing", seed=1, description="", parameters={})
    directory = write_report(empty, tmp_path)
    rows = read_metrics(directory)
    assert rows == [["block", "timestamp_unix_s", "timestamp_utc", *BUCKET_COLUMNS, *SCALARS]]
    summary = (directory / "summary.md").read_text()
    assert "No outcome was recorded" in summary
    assert "No properties were checked." in summary
    assert "No plots: the run recorded no blocks." in summary
    assert not any((directory / name).exists() for name in PNG_NAMES)


def test_write_report__rerun_without_blocks__removes_stale_plots(tmp_path):
    result = make_result()
    directory = write_report(result, tmp_path)
    assert (directory / "prices.png").exists()
    result.blocks = []
    assert write_report(result, tmp_path) == directory
    assert not any((directory / name).exists() for name in PNG_NAMES)
    assert "![" not in (directory / "summary.md").read_text()


def test_write_report__single_block__plots_without_error(tmp_path):
    directory = write_report(make_result(blocks=1), tmp_path)
    assert len(read_metrics(directory)) == 2
    for name in PNG_NAMES:
        assert (directory / name).read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("black-thursday", "black-thursday"),
        ("Black Thursday: ETH / 2020", "Black-Thursday-ETH-2020"),
        ("../../etc", "etc"),
        ("..", "scenario"),
        ("", "scenario"),
        (".hidden", "hidden"),
        ("a\\b\x00c", "a-b-c"),
    ],
)
def test_slugify__unsafe_names__give_a_plain_directory_name(name, slug):
    assert slugify(name) == slug


def test_write_report__unsafe_scenario_name__stays_inside_root(tmp_path):
    directory = write_report(make_result(scenario="../escape/ me?*"), tmp_path / "reports")
    assert directory.parent == tmp_path / "reports"
    assert directory.name == "escape-me-7"
    assert (directory / "summary.md").is_file()
    assert "# Scenario ../escape/ me?*, seed 7" in (directory / "summary.md").read_text()


# ------------------------------------------------------------------------------------------------ formatting


def test_formatting__usd_pct_health__for_people():
    assert fmt_usd(1_234_567.891) == "$1,234,567.89"
    assert fmt_usd(-2_500.5) == "-$2,500.50"
    assert fmt_usd(1.00012) == "$1.0001"
    assert fmt_usd(-0.0) == "$0.00"
    assert fmt_pct(0.8765) == "87.65 %"
    assert fmt_health(math.inf) == "-"
    assert fmt_health(0.8512) == "0.851"
    assert fmt_health(-1.5) == "-1.500"


def test_status_runs__non_ok_blocks__merge_into_contiguous_bands():
    statuses = list(enumerate(["Ok", "Deviated", "Deviated", "Stale", "Ok", "Deviated", "Frozen"]))
    assert _status_runs(statuses) == [
        (1, 2, "Deviated"),
        (3, 3, "Stale"),
        (5, 5, "Deviated"),
        (6, 6, "Frozen"),
    ]


# -------------------------------------------------------------------------------------------------- terminal


def test_print_summary__failed_property__shows_pass_fail_and_the_report_path(result, report):
    console = Console(record=True, width=120)
    print_summary(result, report, console)
    text = console.export_text()
    assert "PASS" in text
    assert "FAIL" in text
    assert "1 of 2 properties failed" in text
    assert f"${result.outcome.liquidated_notional:,.2f}" in text
    assert f"report: {report}" in text


def test_print_summary__verdicts__coloured_green_and_red(result, report):
    console = Console(record=True, width=120, force_terminal=True, color_system="truecolor")
    print_summary(result, report, console)
    html = console.export_html(inline_styles=True)
    assert "PASS" in html and "FAIL" in html
    assert "#008000" in html  # rich's "green"
    assert "#800000" in html  # rich's "red"


def test_print_summary__long_path_narrow_console__path_on_one_line(result, tmp_path):
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    console = Console(record=True, width=60)
    print_summary(result, deep, console)
    assert str(deep) in console.export_text()


def test_print_summary__no_outcome_no_properties__says_so(tmp_path):
    empty = ScenarioResult(scenario="nothing", seed=1, description="", parameters={})
    console = Console(record=True, width=120)
    print_summary(empty, tmp_path, console)
    text = console.export_text()
    assert "no outcome recorded" in text
    assert "no properties checked" in text
    assert str(tmp_path) in text
