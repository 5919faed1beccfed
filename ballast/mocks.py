"""Mock tokens and feeds, and the oracle configured on them: the one set-up behind the deployment of a local config
(`ballast.deploy`), the demo, the anvil gas cross-check (`ballast.bench.receipts`) and the tests' fixtures.

`deploy_mocks` sends, in this order: the tokens not given, every asset's feeds, the oracle (when it is to be
deployed after the feeds), `setAssetConfig` for every asset, and `update` for every asset. A caller that wants
each asset set up in turn (token, feeds, configuration, update) calls it once per asset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.project import ProjectManager

from ballast.prices import asset_config, update_oracle

FEED_DECIMALS = 8
#: The widest answer bounds a test source accepts (in the feed's decimals).
ANY_ANSWER = (1, 10**18)
#: A test source's heartbeat: its answers stay fresh for a day.
DAY = 86_400


class OracleTerms(Protocol):
    """The per-asset oracle parameters of `IOracleAggregator.AssetConfig` besides the sources (the deployment
    config's `OracleParams` and the demo's parameters have them)."""

    @property
    def quorum(self) -> int: ...
    @property
    def max_dispersion_bps(self) -> int: ...
    @property
    def max_deviation_bps(self) -> int: ...
    @property
    def twap_window(self) -> int: ...
    @property
    def max_price_age(self) -> int: ...
    @property
    def buffer_size(self) -> int: ...


@dataclass(frozen=True)
class Terms:
    """`OracleTerms` as plain values."""

    quorum: int
    max_dispersion_bps: int
    max_deviation_bps: int
    twap_window: int
    max_price_age: int
    buffer_size: int


@dataclass(frozen=True)
class Source:
    """One source of an asset: a `MockFeed` answering `answer` (in `decimals`) unless `make` gives the feed (an
    existing feed, a push feed), with its heartbeat and answer bounds for the oracle."""

    decimals: int
    answer: int = 0
    label: str = "feed"
    heartbeat: int = DAY
    bounds: tuple[int, int] = ANY_ANSWER
    make: Callable[[], Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MockAsset:
    """An asset of a mock set-up: its token (a `MockERC20`, or the no-return mock), its sources and oracle terms."""

    symbol: str
    decimals: int
    sources: tuple[Source, ...]
    terms: OracleTerms
    name: str | None = None  # the token's name; the symbol when None
    kind: Literal["mock", "mock-no-return"] = "mock"


#: For a token deployed on its own (no oracle configuration goes with it).
NO_TERMS = Terms(0, 0, 0, 0, 0, 0)


def one_feed(
    symbol: str, decimals: int, answer: int, terms: OracleTerms, label: str | None = None
) -> MockAsset:
    """An asset priced by one 8-decimal mock feed answering `answer`, fresh for a day, any answer accepted."""
    return MockAsset(symbol, decimals, (Source(FEED_DECIMALS, answer, label or symbol),), terms)


@dataclass(frozen=True)
class Mocks:
    """What `deploy_mocks` deployed or was given: tokens and feeds by symbol, and the oracle."""

    tokens: dict[str, Any]
    feeds: dict[str, list[Any]]
    oracle: ContractInstance


Update = Callable[[Any, Any, Any], Any]
"""`update(oracle, token, sender)`: one oracle update (`ballast.prices.update_oracle` by default)."""


def deploy_mocks(
    project: ProjectManager,
    sender: AccountAPI,
    assets: Sequence[MockAsset],
    *,
    oracle: ContractInstance = None,
    new_oracle: Callable[[], Any] | None = None,
    tokens: Mapping[str, Any] | None = None,
    update: Update | None = update_oracle,
) -> Mocks:
    """Deploy the tokens of `assets` (but those in `tokens`) and their feeds, configure each asset in the oracle
    (`oracle`, or the one `new_oracle` deploys after the feeds) and update it (unless `update` is None)."""
    given = dict(tokens or {})
    out_tokens: dict[str, Any] = {}
    for asset in assets:
        given_token = given.get(asset.symbol)
        out_tokens[asset.symbol] = (
            deploy_token(project, sender, asset) if given_token is None else given_token
        )
    feeds = {asset.symbol: [deploy_feed(project, sender, s) for s in asset.sources] for asset in assets}
    if oracle is None:
        if new_oracle is None:
            raise ValueError("deploy_mocks needs an oracle or a way to deploy one")
        oracle = new_oracle()
    for asset in assets:
        sources = [
            (str(feed.address), s.heartbeat, *s.bounds)
            for feed, s in zip(feeds[asset.symbol], asset.sources, strict=True)
        ]
        oracle.setAssetConfig(out_tokens[asset.symbol], asset_config(sources, asset.terms), sender=sender)
    if update is not None:
        for asset in assets:
            update(oracle, out_tokens[asset.symbol], sender)
    return Mocks(out_tokens, feeds, oracle)


def deploy_token(project: ProjectManager, sender: AccountAPI, asset: MockAsset) -> Any:
    """The mock token of `asset`."""
    if asset.kind == "mock-no-return":
        return project.MockNoReturnToken.deploy(asset.decimals, sender=sender)
    return project.MockERC20.deploy(asset.name or asset.symbol, asset.symbol, asset.decimals, sender=sender)


def deploy_feed(project: ProjectManager, sender: AccountAPI, source: Source) -> Any:
    """The feed of `source`: what its `make` gives, else a new `MockFeed`."""
    if source.make is not None:
        return source.make()
    return project.MockFeed.deploy(source.decimals, source.answer, source.label, sender=sender)
