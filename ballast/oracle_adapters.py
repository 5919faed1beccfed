"""Deploying the adapter sources of a config (contracts/oracles/adapters, docs/oracles.md): a ChainlinkAdapter, a
PythAdapter, a RedemptionRateAdapter or a UniswapV3TwapAdapter around a third-party oracle, or around a mock stand-in
for it on a test network. Each adapter reports 18 decimals and is listed in the OracleAggregator like any feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ape.api import AccountAPI
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager

from ballast.config.schema import SourceConfig
from ballast.errors import DeployError
from ballast.manifest import code_at
from ballast.params import to_units

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: IRedemptionRateAdapter.RateKind
RATE_KINDS = {"erc4626": 0, "rate-provider": 1}


def adapter_maker(
    project: ProjectManager,
    chain: ChainManager,
    sender: AccountAPI,
    source: SourceConfig,
    where: str,
    label: str,
    token: Callable[[], Any],
) -> Callable[[], Any]:
    """What deploys the adapter of `source` (the config checked its fields), at `where` in the config. The adapters
    report their inputs' own timestamps and the aggregator judges the age by the source's heartbeat. `token()` gives
    the asset's token (a Uniswap pool's default base)."""

    def existing(address: str, what: str) -> str:
        if not code_at(chain, address):
            raise DeployError(f"{where}.{what}: no contract at {address}")
        return address

    def mock_feed() -> Any:
        assert source.answer is not None  # the config checks it
        answer = to_units(source.answer, source.feed_decimals)
        return project.MockFeed.deploy(source.feed_decimals, answer, f"{label} (mock)", sender=sender)

    def chainlink() -> Any:
        feed = existing(source.address, "address") if source.address is not None else mock_feed()
        return project.ChainlinkAdapter.deploy(feed, label, sender=sender)

    def pyth() -> Any:
        assert source.address is not None and source.price_id is not None  # the config checks them
        pyth = existing(source.address, "address")
        return project.PythAdapter.deploy(pyth, source.price_id, source.max_conf_bps, label, sender=sender)

    def redemption() -> Any:
        underlying = (
            existing(source.underlying, "underlying") if source.underlying is not None else mock_feed()
        )
        if source.address is not None:
            wrapper: Any = existing(source.address, "address")
            kind = RATE_KINDS[source.rate_kind]
        else:
            assert source.rate is not None  # the config checks it
            wrapper = project.MockRateProvider.deploy(to_units(source.rate, 18), sender=sender)
            kind = RATE_KINDS["rate-provider"]
        return project.RedemptionRateAdapter.deploy(
            underlying,
            wrapper,
            kind,
            source.max_growth_bps_per_year,
            label,
            sender=sender,
        )

    def uniswap_twap() -> Any:
        assert source.address is not None and source.window is not None  # the config checks them
        pool = existing(source.address, "address")
        base = source.base if source.base is not None else str(token().address)
        quote = existing(source.quote_feed, "quoteFeed") if source.quote_feed is not None else ZERO_ADDRESS
        return project.UniswapV3TwapAdapter.deploy(
            pool,
            base,
            source.window,
            source.min_liquidity,
            quote,
            label,
            sender=sender,
        )

    makers: dict[str, Callable[[], Any]] = {
        "chainlink": chainlink,
        "pyth": pyth,
        "redemption": redemption,
        "uniswap-twap": uniswap_twap,
    }
    return makers[source.kind]
