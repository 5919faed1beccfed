"""A private anvil for scenario runs too large for ape's own.

ape-foundry starts anvil with `--steps-tracing`, which keeps every opcode step of every transaction in memory: at
1,000 accounts that node grew past 22 GB and was killed. `lean_anvil` starts one without it, on a free port, funding
the same test accounts (same mnemonic and derivation path), and stops it on exit.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from ballast.cli import connected, user_errors
from ballast.errors import NodeError

START_TIMEOUT = 30.0  # seconds for anvil to accept connections


def wait_until_listening(process: subprocess.Popen[str], port: int) -> None:
    """Wait until the anvil `process` accepts connections on `port`; NodeError when it exits first (with what it
    wrote to stderr) or is not listening within START_TIMEOUT."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            error = (process.stderr.read() if process.stderr else "").strip()
            raise NodeError(f"anvil exited with code {process.returncode}: {error or 'no message'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise NodeError(
                    f"anvil did not accept connections on port {port} within {START_TIMEOUT:.0f} s"
                ) from None
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def anvil_command(
    anvil: str, port: int, mnemonic: str, hd_path: str, accounts: int, hardfork: str
) -> list[str]:
    """anvil's arguments as ape-foundry passes them (zero base fee and gas price), without `--steps-tracing`."""
    return [
        anvil,
        "--port", str(port),
        "--mnemonic", mnemonic,
        "--derivation-path", hd_path,
        "--accounts", str(accounts),
        "--balance", "10000",
        "--block-base-fee-per-gas", "0",
        "--gas-price", "0",
        "--hardfork", hardfork,
    ]  # fmt: skip


@contextmanager
def lean_anvil(
    mnemonic: str, hd_path: str, accounts: int = 10, hardfork: str = "prague", anvil: str | None = None
) -> Iterator[str]:
    """Run anvil without steps tracing on a free local port; yield its URI; stop it on exit."""
    binary = anvil or shutil.which("anvil")
    if binary is None:
        raise NodeError("anvil is not on PATH (run `make setup`, or use .venv/bin/anvil)")
    port = _free_port()
    command = anvil_command(binary, port, mnemonic, hd_path, accounts, hardfork)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def on_local_node(
    cli_ctx: Any, console: Console, network_choice: str | None, label: str, run: Callable[[], None]
) -> None:
    """`run()` connected to `network_choice` (a local node of the caller's), or to a private anvil without steps
    tracing, started and stopped here; a node that cannot be reached is one line (`NodeError`)."""
    networks = cli_ctx.network_manager
    with user_errors():
        if network_choice is not None:
            with connected(networks.parse_network_choice(network_choice), network_choice):
                run()
            return
        test = cli_ctx.config_manager.get_config("test")
        with lean_anvil(test.mnemonic, test.hd_path) as uri:
            console.print(f"{label}: private anvil (no steps tracing) at {uri}")
            with connected(networks.parse_network_choice(uri), uri):
                run()
