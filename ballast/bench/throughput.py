"""The chain side of `ape run bench`: throughput sources that need a local anvil.

- `driver_vs_naive`: `ballast.bench.driver.run_bench`, the same mints and feed answers sent by ape contract calls
  one at a time and through the scenario `FastDriver`, in one run on one chain.
- `keeper_reaction_blocks`: `ballast.scenarios.experiments.run_scale` (N traders, WETH, WBTC and LTT -40 % in one
  block, keeper budget 200M gas per block) per account count, each on a fresh deployment: blocks from the price
  update to the last liquidation, read from the run's metrics rows.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ape.api import AccountAPI
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from pydantic import BaseModel, Field, field_validator
from rich.console import Console

from ballast.bench.results import Report, ThroughputSource, driver_vs_naive_entry, reaction_entry

REACTION_BLOCKS = 24
"""Simulated blocks per reaction run: the shock at block 2 and the 10-block TWAP clear the book by about block 12."""


class ThroughputSettings(BaseModel):
    """The chain part of the bench (the command's options)."""

    transactions: int = Field(300, ge=10, le=10_000, description="transactions per path of the driver bench")
    reaction_accounts: tuple[int, ...] = Field((100,), min_length=1)
    seed: int = Field(1, ge=0)
    blocks: int = Field(REACTION_BLOCKS, ge=5, le=2_000)

    @field_validator("reaction_accounts")
    @classmethod
    def _positive(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [n for n in v if not 1 <= n <= 5_000]
        if bad:
            raise ValueError(f"reaction accounts must be between 1 and 5,000, got {bad}")
        return tuple(sorted(set(v)))


def parse_accounts(text: str) -> tuple[int, ...]:
    """`"100,1000"` -> (100, 1000); ValueError with the offending part otherwise."""
    parts = [p.strip().replace("_", "") for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected account counts separated by commas (e.g. 100,1000), got {text!r}")
    return tuple(int(p) for p in parts)


def driver_source(
    project: ProjectManager, chain: ChainManager, sender: AccountAPI, transactions: int
) -> ThroughputSource:
    def source(_: Report) -> Mapping[str, Any]:
        from ballast.bench.driver import run_bench
        from ballast.scenarios.population import quiet_ape

        with quiet_ape():
            result = run_bench(project, chain, sender, transactions)
        return {
            "driver_vs_naive": driver_vs_naive_entry(
                result.naive.transactions, result.naive.seconds, result.fast.transactions, result.fast.seconds
            )
        }

    return source


def reaction_source(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    counts: Sequence[int],
    seed: int,
    blocks: int,
    console: Console,
) -> ThroughputSource:
    def source(_: Report) -> Mapping[str, Any]:
        from ballast.scenarios.experiments import SCALE_SPEC, scale_settings
        from ballast.scenarios.runner import run_scenario

        entries: dict[str, Any] = {}
        for n in counts:
            console.print(f"keeper reaction: {n:,} accounts through a -40 % shock ({blocks} blocks)")
            started = time.perf_counter()
            # Each run deploys its own system (no chain snapshot: a node reached by URI may not offer one); the
            # scenario's own output goes nowhere, the bench prints its summary.
            result, record = run_scenario(
                project,
                chain,
                accounts,
                SCALE_SPEC,
                scale_settings(n, seed, blocks),
                Console(file=io.StringIO()),
                progress=False,
            )
            rows = [(m.block, m.liquidatable, m.liquidations) for m in result.blocks]
            e = reaction_entry(
                n,
                SCALE_SPEC.shock_block,
                rows,
                len({x.account for x in record.liquidations}),
                time.perf_counter() - started,
            )
            entries[str(n)] = e
            console.print(
                f"  {e['accounts_liquidated']:,} accounts liquidated ({e['liquidations']:,} liquidations), "
                f"reaction {e['reaction_blocks']} blocks, {e['wall_s']:,.1f} s"
            )
        return {"keeper_reaction_blocks": entries}

    return source


def chain_sources(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    settings: ThroughputSettings,
    console: Console,
) -> list[ThroughputSource]:
    return [
        driver_source(project, chain, accounts.test_accounts[0], settings.transactions),
        reaction_source(
            project, chain, accounts, settings.reaction_accounts, settings.seed, settings.blocks, console
        ),
    ]
