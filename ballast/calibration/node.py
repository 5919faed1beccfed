"""The private anvil of one Monte Carlo task, with a deadline.

The node is started as `ballast.scenarios.node.lean_anvil` starts one (no steps tracing, the test accounts' mnemonic,
a free local port) with two more guarantees, because a task runs in a worker process that may be stopped at any time:

- the node dies with the thread that started it (Linux's parent-death signal), so a worker killed mid-task leaves
  no anvil behind; the task's thread lives as long as the node does (the context manager below ends first);
- a watchdog kills the node when the task's `timeout` passes: every request of the task then fails at once, so a
  stuck task ends with an error instead of holding its worker.

On leaving the context the node is always stopped (terminate, then kill after 10 s).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ballast.errors import NodeError
from ballast.scenarios.node import anvil_command, wait_until_listening

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class NodeTimeout(NodeError):
    """The watchdog stopped the node: the task's time was up."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` asking Linux to SIGKILL the child when the thread that started it ends (None elsewhere)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    return preexec


@dataclass
class TaskNode:
    """A running node: its URI, and whether the watchdog stopped it."""

    uri: str
    process: subprocess.Popen[str]
    timed_out: threading.Event = field(default_factory=threading.Event)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def task_node(
    mnemonic: str, hd_path: str, timeout: float, accounts: int = 10, hardfork: str = "prague"
) -> Iterator[TaskNode]:
    """Start anvil (module docstring), yield a `TaskNode` once it accepts connections, stop it on exit; the
    watchdog kills it `timeout` seconds after the start and sets `timed_out`."""
    binary = shutil.which("anvil")
    if binary is None:
        raise NodeError("anvil is not on PATH (run `make setup`, or use .venv/bin/anvil)")
    port = _free_port()
    process = subprocess.Popen(
        anvil_command(binary, port, mnemonic, hd_path, accounts, hardfork),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # One prctl through a function resolved beforehand: nothing between fork and exec takes a lock.
        preexec_fn=_die_with_parent(),
    )
    node = TaskNode(f"http://127.0.0.1:{port}", process)

    def expire() -> None:
        node.timed_out.set()
        node.kill()

    watchdog = threading.Timer(timeout, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            wait_until_listening(process, port)
        except NodeError:
            if node.timed_out.is_set():
                raise NodeTimeout(
                    f"the node was stopped after {timeout:g} s, before it accepted connections"
                ) from None
            raise
        yield node
    finally:
        watchdog.cancel()
        _stop(process)
