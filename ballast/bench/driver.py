"""Driver benchmark: the same seeding and price-update transactions sent one by one through ape contract
calls (the naive path) and through `FastDriver` (batched, one block), in the same run, on the same chain."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ape.api import AccountAPI
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from eth_utils import keccak, to_checksum_address
from rich.console import Console
from rich.table import Table

from ballast.scenarios.driver import Call, FastDriver, project_decoder


@dataclass(frozen=True)
class BenchRow:
    path: str
    transactions: int
    seconds: float

    @property
    def tx_per_second(self) -> float:
        return self.transactions / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True)
class BenchResult:
    naive: BenchRow
    fast: BenchRow

    @property
    def ratio(self) -> float:
        return self.fast.tx_per_second / self.naive.tx_per_second


def bench_address(seed: int, i: int) -> str:
    return to_checksum_address(keccak(text=f"ballast-bench-{seed}-{i}")[12:])


def _workload(token: Any, feed: Any, n: int, salt: int) -> list[tuple[str, Any, tuple[Any, ...]]]:
    """n transactions: mints to fresh addresses (seeding) alternating with feed answers (price updates)."""
    work: list[tuple[str, Any, tuple[Any, ...]]] = []
    for i in range(n):
        if i % 2 == 0:
            work.append(("mint", token, (bench_address(salt, i), 10**18 + i)))
        else:
            work.append(("setAnswer", feed, (3_000 * 10**8 + i,)))
    return work


def run_bench(
    project: ProjectManager, chain: ChainManager, sender: AccountAPI, transactions: int = 200
) -> BenchResult:
    """Deploy a mock token and feed, then time `transactions` of them naively and through the driver."""
    token = project.MockERC20.deploy("Bench", "BNCH", 18, sender=sender)
    feed = project.MockFeed.deploy(8, 3_000 * 10**8, "bench", sender=sender)

    started = time.perf_counter()
    for name, contract, args in _workload(token, feed, transactions, 1):
        getattr(contract, name)(*args, sender=sender)
    naive = BenchRow("ape contract calls, one at a time", transactions, time.perf_counter() - started)

    driver = FastDriver(chain.provider, project_decoder(project))
    started = time.perf_counter()
    for name, contract, args in _workload(token, feed, transactions, 2):
        driver.queue(sender, Call.of(contract, name, *args, gas=200_000))
    _, now = driver.latest()
    block = driver.mine(now + 1, strict=True)
    fast = BenchRow(
        "FastDriver: batched eth_sendTransaction, one block",
        len(block.receipts),
        time.perf_counter() - started,
    )
    driver.set_automine(True)
    if int(token.balanceOf(bench_address(2, 0))) != 10**18:
        raise RuntimeError("the driver's mints did not land")
    return BenchResult(naive, fast)


def print_bench(result: BenchResult, console: Console) -> None:
    table = Table(title="driver benchmark: the same transactions, naive vs batched")
    table.add_column("path")
    table.add_column("transactions", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("tx/s", justify="right")
    for row in (result.naive, result.fast):
        table.add_row(row.path, str(row.transactions), f"{row.seconds:.2f}", f"{row.tx_per_second:,.0f}")
    console.print(table)
    console.print(f"speed-up: {result.ratio:,.1f}x (goal: >= 10x, and >= 200 tx/s on the fast path)")
