"""A task's failures come back as its result (one line, no exception), and its node is stopped by the watchdog when
its time is up."""

import time
from pathlib import Path

from ballast.calibration.node import task_node
from ballast.calibration.tasks import TaskSpec, run_task

ROOT = Path(__file__).resolve().parents[2]
MNEMONIC = "test test test test test test test test test test test junk"
HD_PATH = "m/44'/60'/0'/0"


def _spec(config_text: str, path: str = "eth_2021-05-19") -> TaskSpec:
    return TaskSpec("broken", config_text, path, seed=1, accounts=5, blocks=5, leverage="max", models=())


def test_run_task__invalid_config__error_result_naming_the_field():
    text = (
        (ROOT / "config" / "local.yaml")
        .read_text()
        .replace("maintenanceMarginBps: 500", "maintenanceMarginBps: 5", 1)
    )
    result = run_task(_spec(text))

    assert not result.ok
    assert result.error.startswith("ConfigError: ")
    assert "markets[0].maintenanceMarginBps" in result.error
    assert "\n" not in result.error
    assert (result.candidate, result.path, result.liquidations, result.bad_debt) == (
        "broken",
        "eth_2021-05-19",
        0,
        0.0,
    )


def test_run_task__unknown_path__error_result():
    result = run_task(_spec((ROOT / "config" / "local.yaml").read_text(), path="nowhere"))

    assert (
        result.error
        == "ScenarioError: unknown path 'nowhere' (gbm, or a scenario of `ape run scenario list`)"
    )


def test_task_node__watchdog_kills_the_node_when_time_is_up():
    with task_node(MNEMONIC, HD_PATH, timeout=1.0) as node:
        assert node.process.poll() is None
        assert node.uri.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 20
        while node.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert node.timed_out.is_set()
        assert node.process.poll() is not None


def test_task_node__stopped_on_exit():
    with task_node(MNEMONIC, HD_PATH, timeout=600) as node:
        process = node.process
    assert process.poll() is not None
    assert not node.timed_out.is_set()
