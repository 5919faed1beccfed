"""The expiry keeper on a deployment of config/local.yaml: before expiry a run has nothing to do and exits 0; after
expiry it closes the settlement window with an oracle update and settles every series at the oracle's TWAP over the
window ending at expiry; with the node down the command prints one line."""

import json
import socket

import pytest

from ballast.deploy import run_deploy
from ballast.keepers.expiry import build_expiry_keeper
from ballast.manifest import Deployment

from support.commands import assert_one_line, invoke
from support.deploy import LOCAL_CONFIG, deploy_context

WAD = 10**18


@pytest.fixture(scope="module")
def deployed(project, chain, accounts, deployments):
    return run_deploy(deploy_context(project, chain, accounts[0]), LOCAL_CONFIG, deployments)


def keeper_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_keeper_expiry__before_expiry__nothing_to_settle_and_exit_0(deployed, chain):
    book = deployed.manifest.options.book
    outcome = invoke(
        "keeper", "expiry", "--network", chain.provider.uri, "--account", "TEST::4", "--book", book, "--once"
    )
    assert outcome.returncode == 0, outcome.output
    events = [line["event"] for line in keeper_lines(outcome.output)]
    assert events == ["keeper_started", "nothing_to_settle", "keeper_stopped"]
    assert "Traceback" not in outcome.output


def test_expiry_keeper__settles_every_series_at_the_twap_ending_at_expiry(
    deployed, project, chain, keeper, gov, tmp_path
):
    d = Deployment(project, deployed.manifest)
    book, oracle, weth, feeds = d.options, d.oracle, d.tokens["WETH"], d.feeds["WETH"]
    expiry = deployed.manifest.options.series[0].expiry
    # Observations before expiry: 3,000 until a minute before it, then about 3,050 (within the oracle's deviation).
    chain.pending_timestamp = expiry - 200
    for feed in feeds:
        feed.setAnswer(feed.answer(), sender=gov)
    oracle.update(weth, sender=gov)
    chain.pending_timestamp = expiry - 60
    for feed, answer in zip(feeds, (3050, 3049, 3051), strict=True):
        feed.setAnswer(answer * 10**8, sender=gov)
    oracle.update(weth, sender=gov)
    chain.pending_timestamp = expiry + 5
    chain.mine()
    assert oracle.twapEndingAt(weth, 120, expiry)[2] < 120  # not closed: no update at or after expiry yet

    state = tmp_path / "expiry-state.json"
    runner = build_expiry_keeper(project, chain, book.address, sender=keeper, state_path=state)
    report = runner.step()

    price, complete, observed = oracle.twapEndingAt(weth, 120, expiry)
    assert complete and observed == 120  # the keeper's update closed the window
    assert sorted(s["series"] for s in report.settled) == [1, 2, 3] and report.failed == []
    for done in report.settled:
        s = book.series(done["series"])
        assert s.settled and int(s.settlementPrice) == done["price"] == price
        assert done["atExpiry"]
    assert 3000 * WAD < price < 3050 * WAD  # half the window at each price
    assert list(book.liveSeries()) == []
    assert set(json.loads(state.read_text())["settled"]) == {"1", "2", "3"}
    assert runner.step().settled == []  # nothing left


def test_keeper_expiry__node_down__one_line_and_exit_1(deployed):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    outcome = invoke("keeper", "expiry", "--once", "--network", dead)
    assert_one_line(outcome.returncode, outcome.output, "cannot connect to the node", "is the node running?")
