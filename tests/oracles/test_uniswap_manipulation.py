"""An oracle-manipulation run on anvil against a real Uniswap v3 pool (the factory deployed from @uniswap/v3-core's
published artifact): an attacker halves the WETH/USDC spot price and holds it while the OracleAggregator updates every
60 s. Prints the table of docs/oracles.md#manipulating-the-pool (`ape test tests/oracles/test_uniswap_manipulation.py
-s`); asserts what the median and the TWAPs do."""

import json
from decimal import Decimal
from math import isqrt
from pathlib import Path

import pytest
from ape.contracts import ContractContainer
from ethpm_types import ContractType

from ballast.config.schema import SourceConfig
from ballast.oracle_adapters import adapter_maker

from support.isolation import isolated

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "node_modules" / "@uniswap" / "v3-core" / "artifacts" / "contracts"
WAD = 10**18
FULL_RANGE = 887_220
LIQUIDITY = 44_721_359_549_995_793  # about 1,000 WETH and 2,000,000 USDC at 2,000
STATUS = ["Ok", "Deviated", "Stale", "Frozen", "WindDown"]
STEP = 60


def contract_type(name: str) -> ContractType:
    art = json.loads((ARTIFACTS / f"{name}.sol" / f"{name}.json").read_text())
    return ContractType.model_validate(
        {
            "contractName": name,
            "abi": art["abi"],
            "deploymentBytecode": {"bytecode": art["bytecode"]},
            "runtimeBytecode": {"bytecode": art["deployedBytecode"]},
        }
    )


class Run:
    """The deployed pieces and the step that advances time and updates the oracle."""

    def __init__(self, project, chain, accounts):
        self.chain = chain
        self.sender = sender = accounts[0]
        self.weth = project.MockERC20.deploy("Wrapped Ether", "WETH", 18, sender=sender)
        self.usdc = project.MockERC20.deploy("USD Coin", "USDC", 6, sender=sender)
        factory = ContractContainer(contract_type("UniswapV3Factory")).deploy(sender=sender)
        receipt = factory.createPool(self.weth, self.usdc, 3000, sender=sender)
        pool_address = receipt.decode_logs()[0].pool
        self.pool = chain.contracts.instance_at(pool_address, contract_type=contract_type("UniswapV3Pool"))
        self.weth_is_token0 = self.pool.token0() == self.weth.address
        self.pool.initialize(self.sqrt_price(Decimal(2000)), sender=sender)
        self.pool.increaseObservationCardinalityNext(400, sender=sender)
        self.trader = project.MockUniswapV3Trader.deploy(sender=sender)
        self.trader.addLiquidity(self.pool, -FULL_RANGE, FULL_RANGE, LIQUIDITY, sender=sender)
        self.feeds = [
            project.MockFeed.deploy(8, 2000 * 10**8, f"ETH / USD {i}", sender=sender) for i in (1, 2)
        ]
        chainlink = [project.ChainlinkAdapter.deploy(f, "ETH / USD", sender=sender) for f in self.feeds]
        zero = "0x0000000000000000000000000000000000000000"
        self.twap30 = project.UniswapV3TwapAdapter.deploy(
            self.pool, self.weth, 1800, 0, zero, "30m", sender=sender
        )
        self.twap1 = project.UniswapV3TwapAdapter.deploy(
            self.pool, self.weth, 60, 0, zero, "1m", sender=sender
        )
        # The same 30-minute source as a deployment config builds it (the base token defaults to the asset's).
        source = SourceConfig(kind="uniswap-twap", address=str(self.pool.address), window=1800)
        where, weth = "oracle.assets.WETH.sources[0]", self.weth
        self.from_config = adapter_maker(project, chain, sender, source, where, "30m", lambda: weth)()
        self.oracle = project.OracleAggregator.deploy(sender, sender, 600, sender=sender)
        self.assets = {"MIXED": "0x" + "a1" * 20, "TWAP30": "0x" + "a2" * 20, "TWAP1": "0x" + "a3" * 20}
        chain.pending_timestamp = (
            chain.blocks.head.timestamp + 1800
        )  # the pool's history covers the 30-min window
        for feed in self.feeds:
            feed.setAnswer(2000 * 10**8, sender=sender)
        self.list("MIXED", [*chainlink, self.twap30], 2)
        self.list("TWAP30", [self.twap30], 1)
        self.list("TWAP1", [self.twap1], 1)
        for _ in range(30):
            self.step()

    def list(self, name, sources, quorum):
        config = (
            [(s.address, 3600, 1, 2**96 - 1) for s in sources],
            quorum,
            200,  # maxDispersionBps
            500,  # maxDeviationBps
            1800,  # twapWindow
            3600,  # maxPriceAge
            64,  # bufferSize
        )
        self.oracle.setAssetConfig(self.assets[name], config, sender=self.sender)

    def sqrt_price(self, usdc_per_weth: Decimal) -> int:
        """sqrtPriceX96 for a price of `usdc_per_weth` (whole tokens)."""
        raw = usdc_per_weth * 10**6 / 10**18  # raw USDC per raw WETH
        if not self.weth_is_token0:
            raw = 1 / raw
        return isqrt(int(raw * 2**192))

    def spot(self) -> Decimal:
        sqrt_p = self.pool.slot0()[0]
        raw = Decimal(sqrt_p) ** 2 / Decimal(2) ** 192
        return (raw if self.weth_is_token0 else 1 / raw) * 10**12

    def step(self):
        self.chain.pending_timestamp = self.chain.blocks.head.timestamp + STEP
        for feed in self.feeds:
            feed.setAnswer(2000 * 10**8, sender=self.sender)
        for asset in self.assets.values():
            self.oracle.update(asset, sender=self.sender)


@pytest.fixture(scope="module")
def manipulation(project, chain, accounts):
    with isolated(chain):
        yield Run(project, chain, accounts)


def usd(wad: int) -> str:
    return f"{wad / WAD:>7,.0f}"


def test_spot_manipulation__median_of_honest_feeds_holds_and_lone_twaps_follow(manipulation):
    run = manipulation
    before30 = run.twap30.latestRoundData()[1]
    a0, a1 = run.trader.swapToPrice.call(run.pool, run.weth_is_token0, run.sqrt_price(Decimal(1000)))
    run.trader.swapToPrice(run.pool, run.weth_is_token0, run.sqrt_price(Decimal(1000)), sender=run.sender)
    weth_in = (a0 if run.weth_is_token0 else a1) / WAD
    print(f"\nattack: {weth_in:,.0f} WETH sold, spot {run.spot():,.0f} USDC per WETH")
    assert abs(run.spot() - 1000) < 1
    # The attack block has a later timestamp than the last update: the 30-min TWAP has moved by at most seconds.
    assert run.twap30.latestRoundData()[1] == pytest.approx(before30, rel=1e-3)
    print(
        " after |    spot |  twap1m | twap30m | MIXED median    twap status | TWAP30 median    twap status | TWAP1 median    twap status"
    )
    seen = {}
    for i in range(1, 31):
        run.step()
        data = {name: run.oracle.getPriceData(a) for name, a in run.assets.items()}
        seen[i * STEP] = data
        assert data["MIXED"].median == 2000 * WAD, "two honest sources of three hold the median"
        if i * STEP in (60, 120, 300, 600, 900, 1200, 1800):
            cells = [f"{i * STEP:>5}s", f"{run.spot():>7,.0f}", usd(run.twap1.latestRoundData()[1])]
            cells.append(usd(run.twap30.latestRoundData()[1]))
            for name in run.assets:
                d = data[name]
                cells.append(f"{usd(d.median)} {usd(d.twap)} {STATUS[d.status]}")
            print(" | ".join(cells))
    assert STATUS[seen[60]["MIXED"].status] == "Deviated"  # the pool's TWAP is > 2 % from the feeds
    assert seen[60]["TWAP1"].median == pytest.approx(1000 * WAD, rel=5e-3)
    assert seen[60]["TWAP30"].median == pytest.approx(2000 * 0.5 ** (60 / 1800) * WAD, rel=5e-3)
    assert seen[1800]["TWAP30"].median == pytest.approx(1000 * WAD, rel=5e-3)
    assert run.from_config.latestRoundData()[1] == run.twap30.latestRoundData()[1]
