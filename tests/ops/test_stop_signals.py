"""Every keeper (`ape run keeper ...`) and Silverback bot (`silverback run ...`) stops within 2 s of SIGINT or SIGTERM,
exits 0 and logs a last line saying so: each is started in a process of its own on the module's deployment, left to
settle into its loop (no output for a second), then sent the signal with `os.kill`."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from support.commands import ROOT

BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow  # starts ape and silverback processes

#: The longest a keeper or bot may take from the signal to its exit.
STOP_WITHIN = 2.0

#: Each command: its arguments (after the tool), the line that says it is up, and its last line once stopped.
KEEPERS = {
    "liquidation": (["keeper", "liquidate", "--account", "TEST::4"], '"keeper_started"', '"keeper_stopped"'),
    "oracle": (
        ["keeper", "oracle", "--account", "TEST::4", "--walk", "WETH"],
        '"started"',
        '"event": "stopped"',
    ),
    "expiry": (["keeper", "expiry", "--account", "TEST::5"], '"keeper_started"', '"keeper_stopped"'),
    "risk": (["keeper", "risk", "--dry-run"], '"keeper_started"', '"keeper_stopped"'),
}
BOTS = {
    "liquidator": ("TEST::4", "liquidation keeper bot stopped"),
    "oracle": ("TEST::4", "oracle keeper bot stopped"),
    "expiry": ("TEST::5", "expiry keeper bot stopped"),
    "risk": ("TEST::6", "risk keeper bot stopped"),
}
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}


class Process:
    """A command in a process of its own, its output (stdout and stderr) read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.last_output = time.monotonic()
        self.popen = subprocess.Popen(
            [str(BIN / args[0]), *args[1:]], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))
            self.last_output = time.monotonic()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until_settled(self, ready: str, quiet: float = 1.0, timeout: float = 180) -> None:
        """Until `ready` was printed and nothing more for `quiet` seconds: the command waits in its loop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.popen.poll() is None:
            if ready in self.output and time.monotonic() - self.last_output > quiet:
                return
            time.sleep(0.05)
        raise AssertionError(f"not settled (exit {self.popen.poll()}):\n{self.output}")

    def stop(self, signum: int) -> float:
        """Send `signum` and wait for the exit; the seconds from the signal to the exit."""
        sent = time.monotonic()
        os.kill(self.popen.pid, signum)
        try:
            self.popen.wait(timeout=60)
        finally:
            if self.popen.poll() is None:
                self.popen.kill()
        elapsed = time.monotonic() - sent
        self.reader.join(timeout=5)
        return elapsed


def stop_and_check(process: Process, ready: str, stopped: str, signum: int) -> None:
    process.wait_until_settled(ready)
    elapsed = process.stop(signum)
    assert process.popen.returncode == 0, process.output
    assert [line for line in process.lines if stopped in line], process.output
    assert "Traceback" not in process.output, process.output
    assert elapsed < STOP_WITHIN, (
        f"stopped {elapsed:.2f} s after {signal.Signals(signum).name}:\n{process.output}"
    )
    print(f"stopped {elapsed:.3f} s after {signal.Signals(signum).name}")  # shown with -s


@pytest.mark.parametrize("signame", list(SIGNALS))
@pytest.mark.parametrize("keeper_name", list(KEEPERS))
def test_ape_run_keeper__signal__stops_within_2_s_with_exit_0_and_a_stop_line(
    node, tmp_path, keeper_name, signame
):
    args, ready, stopped = KEEPERS[keeper_name]
    state = [] if keeper_name == "oracle" else ["--state", str(tmp_path / "state.json")]
    process = Process(["ape", "run", *args, "--network", "ethereum:local:foundry", *state], node.env())
    stop_and_check(process, ready, stopped, SIGNALS[signame])


@pytest.mark.parametrize("signame", list(SIGNALS))
@pytest.mark.parametrize("bot_name", list(BOTS))
def test_silverback_bot__signal__stops_within_2_s_with_exit_0_and_a_stop_line(
    node, tmp_path, bot_name, signame
):
    account, stopped = BOTS[bot_name]
    env = node.env(
        BALLAST_KEEPER_STATE_PATH=str(tmp_path / "liquidation.json"),
        BALLAST_EXPIRY_STATE_PATH=str(tmp_path / "expiry.json"),
        BALLAST_RISK_STATE_PATH=str(tmp_path / "risk.json"),
    )
    process = Process(
        ["silverback", "run", bot_name, "--network", "ethereum:local:foundry", "--account", account], env
    )
    stop_and_check(process, "Startup complete", stopped, SIGNALS[signame])
