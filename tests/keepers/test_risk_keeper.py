"""The risk keeper on the whole core (tests/keepers' fixtures): after WETH fell 20 % in the oracle's history, a step
tightens WETH's haircuts and its perp's margins by 3 % of today's values (read back from the engine: the stored
targets); a second tightening the same day is not sent (the keeper's state holds it; a keeper without state learns it
from the engine's `RiskStepTooSoon`); a failing transaction is reported and the keeper goes on; a dry run sends
nothing; the command prints the plan, and one line when the node is down; the Silverback bot steps on its schedule."""

import json
import socket

import pytest
from silverback import StateSnapshot

from ballast.keepers.risk import RiskKeeper, RiskKeeperConfig

from support.commands import assert_one_line, invoke, load_bot, run_task
from support.core import FEED_DECIMALS, WETH_PERP

#: WETH's oracle history: 3,000 falling to 2,400 in steps five minutes apart (worst fall 20 %).
FALL = (3_000, 2_950, 2_900, 2_800, 2_700, 2_600, 2_500, 2_400)
DAY = 86_400


@pytest.fixture(scope="module")
def weth_fell(chain, oracle, feeds, tokens, gov):
    """The first block of WETH's fall in the oracle's events."""
    start = chain.blocks.head.number + 1
    for price in FALL:
        feeds["WETH"].setAnswer(price * 10**FEED_DECIMALS, sender=gov)
        oracle.update(tokens["WETH"], sender=gov)
        chain.pending_timestamp += 300
    return start


@pytest.fixture
def risk_keeper(chain, engine, oracle, liquidator, risk_manager, weth_fell, tmp_path):
    """`risk_keeper(**config)`: a keeper of the core's engine reading the oracle's events from the fall on."""

    def _make(**overrides):
        config = {
            "sender": risk_manager,
            "state_path": tmp_path / "risk-state.json",
            "history_from_block": weth_fell,
            "max_retries": 1,
            "backoff_base": 0.01,
            **overrides,
        }
        return RiskKeeper(
            engine, oracle, liquidator, RiskKeeperConfig(**config), chain.chain_id, sleep=lambda _: None
        )

    return _make


def test_risk_keeper__after_a_fall__tightens_weth_by_3_percent_and_records_when(
    risk_keeper, engine, tokens, tmp_path
):
    weth = tokens["WETH"]
    keeper = risk_keeper()
    report = keeper.step()

    # The proposal from the oracle's events: the whole fall is within the 1 h horizon (12 periods of 300 s).
    proposal = report.proposals["WETH"]
    assert proposal.estimates.worst_down == pytest.approx(0.2)
    assert proposal.maint_haircut_bps.value == 2_500  # 20 % x 1.25
    # The stored parameters (what collateralParams / marketParams return): 3 % of today's value toward it.
    initial, maint, stress, cap = engine.collateralParams(weth)
    assert (initial, maint, cap) == (1_545, 1_030, 2**127)  # 1500 + 45, 1000 + 30; no depth: cap kept
    assert stress == min(2_060, proposal.stress_shock_bps.value)  # 2000 + 60 toward the proposal
    market = engine.marketParams(WETH_PERP)
    assert (market.initialMarginBps, market.maintenanceMarginBps) == (1_030, 515)  # 1000 + 30, 500 + 15
    # Assets with no events in the window have no proposal; their parameters stay.
    assert set(report.skipped) == {"WBTC", "LTT"}
    assert engine.collateralParams(tokens["WBTC"])[:3] == (1_500, 1_000, 2_000)

    sent = {s["subject"]: s for s in report.sent}
    assert set(sent) == {f"collateral:{weth.address}", "market:0"} and report.failed == []
    assert sent["market:0"]["changes"]["maintenance_margin_bps"] == [500, 515]
    state = json.loads((tmp_path / "risk-state.json").read_text())
    assert state["last_tightened"] == {k: v["timestamp"] for k, v in sent.items()}


def test_risk_keeper__second_tightening_the_same_day__not_sent(risk_keeper, engine, tokens, chain):
    weth = tokens["WETH"]
    first = risk_keeper().step()
    # Each subject's own tightening time (the two transactions may land in blocks a second apart).
    tightened_at = {s["subject"]: s["timestamp"] for s in first.sent}
    chain.pending_timestamp += 3_600

    # The same keeper knows from its state: the rises wait, nothing fails.
    again = risk_keeper().step()
    assert engine.collateralParams(weth)[:2] == (1_545, 1_030)
    assert (
        engine.marketParams(WETH_PERP).initialMarginBps,
        engine.marketParams(WETH_PERP).maintenanceMarginBps,
    ) == (1_030, 515)
    assert again.failed == [] and not any(p.tightens for p in again.planned)
    collateral = f"collateral:{weth.address}"
    assert {h["subject"]: h["next_allowed_at"] for h in again.held} == {
        collateral: tightened_at[collateral] + DAY,
        "market:0": tightened_at["market:0"] + DAY,
    }
    for p in again.planned:  # what is still sent is not spaced by the engine (stress shocks)
        assert p.held.startswith(f"tightening held: last tightened at {tightened_at[p.subject]}")
        assert {s.name for s in p.steps if s.changed} == {"stress_shock_bps"}

    # A keeper without a state file asks the engine before tightening: RiskStepTooSoon gives the time.
    fresh = risk_keeper(state_path=None).step()
    held = {h["subject"]: h["next_allowed_at"] for h in fresh.held}
    assert held["market:0"] == tightened_at["market:0"] + DAY
    assert fresh.failed == [] and not any(s["tightens"] for s in fresh.sent)
    assert engine.marketParams(WETH_PERP).maintenanceMarginBps == 515


def test_risk_keeper__transactions_that_revert__reported_and_the_keeper_goes_on(
    risk_keeper, engine, tokens, stranger
):
    report = risk_keeper(sender=stranger, state_path=None).step()  # no risk-manager role

    assert len(report.failed) == 2 and report.sent == []
    # AccessControlUnauthorizedAccount(stranger, RISK_MANAGER_ROLE): an OpenZeppelin error the engine's ABI lacks.
    assert all(f.reverted and f.error.startswith("ContractLogicError: 0xe2517d3f") for f in report.failed)
    assert [f.kind for f in report.failed] == ["engine.setCollateralParams", "engine.setMarketParams"]
    assert engine.collateralParams(tokens["WETH"])[:2] == (1_500, 1_000)


def test_risk_keeper__dry_run__plans_and_sends_nothing(risk_keeper, engine, tokens, risk_manager):
    nonce = risk_manager.nonce
    report = risk_keeper(dry_run=True).step()

    assert [p.label for p in report.planned] == ["WETH collateral", "market 0 (WETH)"]
    assert report.planned[0].step("maint_haircut_bps").new == 1_030
    assert report.sent == [] and risk_manager.nonce == nonce
    assert engine.collateralParams(tokens["WETH"])[:2] == (1_500, 1_000)


def test_ape_run_keeper_risk__dry_run__prints_the_plan(chain, engine, weth_fell, tokens):
    outcome = invoke(
        "keeper", "risk", "--network", chain.provider.uri, "--account", "TEST::6", "--engine", engine.address,
        "--from-block", str(weth_fell), "--dry-run", "--once",
    )  # fmt: skip
    assert outcome.returncode == 0, outcome.output
    assert "risk keeper: 2 subjects would step (dry run)" in outcome.output
    assert "1,030 *" in outcome.output and "Traceback" not in outcome.output
    assert engine.collateralParams(tokens["WETH"])[:2] == (1_500, 1_000)


def test_ape_run_keeper_risk__node_down__one_line_and_exit_1():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    outcome = invoke("keeper", "risk", "--once", "--network", dead)
    assert_one_line(outcome.returncode, outcome.output, "cannot connect to the node", "is the node running?")


def test_silverback_bot__steps_the_keeper_on_its_schedule(chain, engine, weth_fell, monkeypatch, tmp_path):
    monkeypatch.setenv("BALLAST_RISK_ENGINE", engine.address)
    monkeypatch.setenv("BALLAST_RISK_DRY_RUN", "true")
    monkeypatch.setenv("BALLAST_RISK_CRON", "*/10 * * * *")
    monkeypatch.setenv("SILVERBACK_SIGNER_ALIAS", "TEST::6")
    module = load_bot("risk", monkeypatch)
    assert module.SCHEDULE == "*/10 * * * *"

    startup = StateSnapshot(last_block_seen=-1, last_block_processed=-1)
    run_task(module.bot._load_snapshot, startup)
    run_task(module.start_keeper, startup)
    metrics = run_task(module.step_on_schedule, None)
    assert metrics["sent"] == 0 and metrics["failed_transactions"] == 0
    assert metrics["planned"] >= 2 and metrics["proposals"] >= 1  # WETH's fall is within the week's window
