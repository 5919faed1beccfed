"""Replays on the test chain: `ape run scenario replay` (the script's click command) on a two-asset file writes its
report and the oracle's prices follow the file; its bad inputs fail in one line; the oracle keeper pushes a two-asset
file's rows into each asset's feeds."""

import csv
import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from silverback import StateSnapshot

from ballast.deploy import run_deploy
from ballast.keepers.oracle import OracleKeeper, OracleKeeperConfig
from ballast.manifest import Deployment
from ballast.scenarios.replay import plan_replay
from ballast.scenarios.report import snake
from ballast.series import read_prices

from support.commands import assert_one_line, invoke, load_bot, run_task
from support.deploy import TESTNET_CONFIG, deploy_context

FIXTURES = Path(__file__).parent / "fixtures"
TWO = FIXTURES / "two_assets.csv"  # ETH and BTC rows interleaved, unix seconds, one a minute
SYMBOLS = ["USDC", "WBTC", "WETH", "LTT", "USDT"]
DEPLOYED = {"WETH": 3000.0, "WBTC": 60000.0}  # config/local.yaml's first source answers
BLOCKS = 10
WAD = 10**18


def _metrics(directory: Path) -> list[dict[str, str]]:
    with (directory / "metrics.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_scenario_replay__two_assets_in_one_file__report_and_the_oracle_follows_the_file(chain, tmp_path):
    outcome = invoke(
        "scenario", "replay", "--network", chain.provider.uri, "--csv", str(TWO), "--accounts", "4",
        "--blocks", str(BLOCKS), "--out", str(tmp_path),
    )  # fmt: skip
    assert outcome.returncode in (0, 1), outcome.output  # 1: a property failed (the report says which)
    directory = tmp_path / "replay-1"
    assert (directory / "summary.md").is_file(), outcome.output
    rows = _metrics(directory)
    assert len(rows) == BLOCKS
    plan = plan_replay([str(TWO)], [], SYMBOLS)
    for source in plan.sources:
        symbol = source.symbol
        expected = plan.path(source, BLOCKS, DEPLOYED[symbol])
        path = [float(r[f"{snake(symbol)}_path_price_usd"]) for r in rows]
        assert path == pytest.approx(expected.tolist(), rel=1e-9)
        # The file's moves, rescaled: ETH -25 % at its low, BTC -10 %.
        file = read_prices(TWO, asset=symbol)
        assert min(path) / path[0] == pytest.approx(file.values.min() / file.first, rel=1e-9)
        medians = [float(r[f"{snake(symbol)}_oracle_median_usd"]) for r in rows]
        # The sources answer the path (times their small offsets) and the median follows within the offsets.
        for median, price in zip(medians, path, strict=True):
            assert median == pytest.approx(price, rel=0.002)
    summary = (directory / "summary.md").read_text()
    assert "two_assets.csv" in summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--csv", "nope.csv", "--asset", "WETH"], "nope.csv: no such price file"),
        (["--csv", f"{TWO}:volume"], "no column 'volume' (columns: asset,timestamp,price)"),
        (["--csv", str(FIXTURES / "sol.csv")], "asset 'SOL' matches no asset of the deployment (known: USDC"),
        (["--csv", str(FIXTURES / "empty.csv"), "--asset", "WETH"], "no price rows under the header"),
        (["--csv", str(FIXTURES / "unsorted.csv"), "--asset", "WETH"], "is not after the row before"),
    ],
)
def test_scenario_replay__bad_input__one_line_and_exit_1(chain, args, message):
    outcome = invoke("scenario", "replay", "--network", chain.provider.uri, *args)
    assert_one_line(outcome.returncode, outcome.output, message)


@pytest.fixture(scope="module")
def replay_manifests(tmp_path_factory):
    """This module's deployment manifests (never the repository's deployments/)."""
    return tmp_path_factory.mktemp("replay-manifests")


@pytest.fixture(scope="module")
def push_deployment(project, chain, accounts, replay_manifests):
    """config/ballast-testnet.yaml's push feeds, the deployer (accounts[0]) their reporter."""
    outcome = run_deploy(deploy_context(project, chain, accounts[0]), TESTNET_CONFIG, replay_manifests)
    return Deployment(project, outcome.manifest)


def test_oracle_keeper__two_asset_file__each_asset_gets_its_own_rows_rescaled(
    push_deployment, accounts, chain
):
    d = push_deployment
    before = {s: Decimal(d.oracle.median(d.tokens[s])) / WAD for s in ("WETH", "WBTC")}
    config = OracleKeeperConfig.parse(
        {
            "assets": {s: {"csv": str(TWO), "prices": "rescaled"} for s in ("WETH", "WBTC")},
            "interval": 0,
            "steps": 3,
            "advance": 60,
        }
    )
    logger = logging.getLogger("test.replay.keeper")
    logger.handlers[:] = [logging.StreamHandler(io.StringIO())]
    logger.propagate = False
    keeper = OracleKeeper(d, accounts[0], config, chain=chain, logger=logger)
    pushed: dict[str, list[Decimal]] = {"WETH": [], "WBTC": []}
    for _ in range(3):
        for result in keeper.step() or []:
            pushed[result.symbol].append(result.price)
            assert d.oracle.median(d.tokens[result.symbol]) == int(result.price * WAD)
    for symbol, name in (("WETH", "ETH"), ("WBTC", "BTC")):
        file = read_prices(TWO, asset=name).values[:3]
        expected = [before[symbol] * Decimal(repr(v / file[0])) for v in file]
        assert [float(p) for p in pushed[symbol]] == pytest.approx([float(e) for e in expected], rel=1e-8)


def test_oracle_bot__its_yaml_takes_the_reader_options(
    push_deployment, replay_manifests, chain, tmp_path, monkeypatch
):
    d = push_deployment
    before = Decimal(d.oracle.median(d.tokens["WBTC"])) / WAD
    config = tmp_path / "keeper-oracle.yaml"
    config.write_text(
        f"assets:\n  WBTC: {{csv: {TWO}, asset: BTC, prices: rescaled, resample: worst, fileStep: 120}}\n"
    )
    monkeypatch.setenv("SILVERBACK_SIGNER_ALIAS", "TEST::0")
    monkeypatch.setenv("BALLAST_ORACLE_KEEPER", str(config))
    monkeypatch.setenv("BALLAST_DEPLOYMENTS_DIR", str(replay_manifests))
    module = load_bot("oracle", monkeypatch)
    startup = StateSnapshot(last_block_seen=-1, last_block_processed=-1)
    run_task(module.bot._load_snapshot, startup)
    run_task(module.load_keeper, startup)
    metrics = [run_task(module.push_prices, None) for _ in range(2)]
    # Two minutes of the file per step, the lowest of each: BTC 39000 then 36000, rescaled from 40000.
    expected = [float(before) * 39_000 / 40_000, float(before) * 36_000 / 40_000]
    assert [m["WBTC_price"] for m in metrics] == pytest.approx(expected, rel=1e-8)
    assert metrics[-1]["WBTC_median"] == pytest.approx(expected[-1], rel=1e-8)
