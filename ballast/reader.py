"""Loading `ballast.risk` inputs from a chain: governed parameters, stored prices, the borrow index and account
books, all read at one block so that `risk.health` equals `MarginEngine.health` at that block.

Reads go out as JSON-RPC batches of `eth_call` (one HTTP round trip per batch; one request each where the provider
cannot batch): refreshing any number of accounts takes two round trips (masks and cash, then the balances, positions
and margin-product figures the masks list).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ape.api import ProviderAPI
from ape.contracts import ContractInstance
from ape.exceptions import ProviderError
from eth_abi import decode, encode
from eth_utils import is_address, keccak, to_checksum_address

from ballast.risk import (
    AccountState,
    AssetPrice,
    PositionState,
    PriceStatus,
    ProductRisk,
    RiskParams,
)

MAX_BATCH = 500  # calls per JSON-RPC batch

#: (address, function name, argument count) -> (signature, input types, output types)
_SIGNATURES: dict[tuple[str, str, int], tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


@dataclass(frozen=True)
class Call:
    """One `eth_call`: `to`, a function by canonical signature, its arguments and output types."""

    to: str
    signature: str
    args: tuple[Any, ...]
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]

    @classmethod
    def method(cls, contract: Any, name: str, *args: Any) -> Call:
        """A view of an ape contract instance, by name (the first ABI of that name with as many inputs)."""
        address = str(contract.address)
        key = (address, name, len(args))
        if key not in _SIGNATURES:
            abis = [abi for abi in getattr(contract, name).abis if len(abi.inputs) == len(args)]
            if not abis:
                raise ValueError(f"{name} takes no {len(args)} arguments")
            abi = abis[0]
            inputs = tuple(i.canonical_type for i in abi.inputs)
            outputs = tuple(o.canonical_type for o in abi.outputs)
            _SIGNATURES[key] = (abi.selector, inputs, outputs)
        signature, inputs, outputs = _SIGNATURES[key]
        return cls(address, signature, tuple(args), inputs, outputs)

    def data(self) -> str:
        selector = keccak(text=self.signature)[:4]
        return "0x" + (selector + encode(list(self.input_types), list(self.args))).hex()

    def result(self, raw: str | bytes) -> Any:
        """The decoded return value: a single value, or a tuple for several outputs; addresses checksummed."""
        data = bytes.fromhex(raw[2:]) if isinstance(raw, str) else bytes(raw)
        values = decode(list(self.output_types), data)
        values = tuple(_checksum(v) for v in values)
        return values[0] if len(values) == 1 else values


def _checksum(value: Any) -> Any:
    if isinstance(value, str) and is_address(value):
        return to_checksum_address(value)
    if isinstance(value, tuple | list):
        return type(value)(_checksum(v) for v in value)
    return value


def erc20_decimals(token: str) -> Call:
    return Call(str(token), "decimals()", (), (), ("uint8",))


def erc20_symbol(token: str) -> Call:
    return Call(str(token), "symbol()", (), (), ("string",))


def batch_call(provider: ProviderAPI, calls: Sequence[Call], block: int) -> list[Any]:
    """Run `calls` at `block` and decode their results, in order. Raises `ProviderError` if any call fails."""
    requests = [("eth_call", [{"to": c.to, "data": c.data()}, hex(block)]) for c in calls]
    responses: list[Any] = []
    web3_provider = getattr(getattr(provider, "web3", None), "provider", None)
    batcher = getattr(web3_provider, "make_batch_request", None)
    for start in range(0, len(requests), MAX_BATCH):
        chunk = requests[start : start + MAX_BATCH]
        if batcher is None:
            responses.extend({"result": provider.make_request(m, p)} for m, p in chunk)
            continue
        answer = batcher(chunk)
        if not isinstance(answer, list):  # the node rejected the whole batch
            raise ProviderError(f"batch eth_call failed: {answer.get('error', answer)}")
        responses.extend(answer)
    results = []
    for call, response in zip(calls, responses, strict=True):
        if response.get("error") is not None:
            error = response["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise ProviderError(f"eth_call {call.signature} to {call.to} failed: {message}")
        results.append(call.result(response["result"]))
    return results


# ---------------------------------------------------------------- parameters and prices


def fetch_risk_params(engine: ContractInstance, block: int) -> RiskParams:
    """The engine's listed collateral (in listing order) and markets, with token decimals, and the maintenance
    parameters in force at `block` (`RiskParams.ramping` when any still ramps)."""
    provider = engine.provider
    settlement, collateral_order, market_count, margin_products = batch_call(
        provider,
        [
            Call.method(engine, "settlementAsset"),
            Call.method(engine, "collateralAssets"),
            Call.method(engine, "marketCount"),
            Call.method(engine, "marginProducts"),
        ],
        block,
    )
    assets = list(collateral_order)
    calls = [erc20_decimals(settlement)]
    calls += [erc20_decimals(a) for a in assets]
    calls += [Call.method(engine, "collateralParams", a) for a in assets]
    calls += [Call.method(engine, "marketParams", m) for m in range(market_count)]
    # The maintenance parameters in force (RampState: fromBps, targetBps, start, end, currentBps).
    calls += [Call.method(engine, "collateralRamp", a) for a in assets]
    calls += [Call.method(engine, "marketRamp", m) for m in range(market_count)]
    results = batch_call(provider, calls, block)
    n, k = len(assets), market_count
    settlement_decimals = results[0]
    decimals = results[1 : 1 + n]
    collateral_params = results[1 + n : 1 + 2 * n]
    market_params = results[1 + 2 * n : 1 + 2 * n + k]
    collateral_ramps = results[1 + 2 * n + k : 1 + 3 * n + k]
    market_ramps = results[1 + 3 * n + k :]
    return RiskParams.from_listings(
        settlement,
        settlement_decimals,
        dict(zip(assets, zip(decimals, collateral_params, strict=True), strict=True)),
        dict(enumerate(market_params)),
        margin_products,
        in_force=(
            {a: r[4] for a, r in zip(assets, collateral_ramps, strict=True)},
            {m: r[4] for m, r in enumerate(market_ramps)},
        ),
    )


@dataclass(frozen=True)
class Listings:
    """The engine's governed listings as its getters return them, every field included (supply caps, fees, caps):
    `collateral` {asset: `collateralParams`} in listing order, `markets` {market id: `marketParams`}, and the
    symbol and decimals of every token they name (the settlement asset's too)."""

    settlement: str
    collateral: dict[str, tuple[Any, ...]]
    markets: dict[int, tuple[Any, ...]]
    symbols: dict[str, str]
    decimals: dict[str, int]


def fetch_listings(engine: ContractInstance, block: int) -> Listings:
    """Every listed collateral asset's and market's parameters at `block`, with token symbols and decimals, in two
    batched round trips."""
    provider = engine.provider
    settlement, assets, market_count = batch_call(
        provider,
        [
            Call.method(engine, "settlementAsset"),
            Call.method(engine, "collateralAssets"),
            Call.method(engine, "marketCount"),
        ],
        block,
    )
    assets = list(assets)
    calls = [Call.method(engine, "collateralParams", a) for a in assets]
    calls += [Call.method(engine, "marketParams", m) for m in range(market_count)]
    params = batch_call(provider, calls, block)
    collateral = dict(zip(assets, (tuple(p) for p in params[: len(assets)]), strict=True))
    markets = {m: tuple(p) for m, p in enumerate(params[len(assets) :])}
    tokens = list(dict.fromkeys([settlement, *assets, *(p[0] for p in markets.values())]))
    meta = batch_call(provider, [c for t in tokens for c in (erc20_symbol(t), erc20_decimals(t))], block)
    return Listings(
        settlement=settlement,
        collateral=collateral,
        markets=markets,
        symbols={t: meta[2 * i] for i, t in enumerate(tokens)},
        decimals={t: meta[2 * i + 1] for i, t in enumerate(tokens)},
    )


def fetch_max_price_ages(oracle: ContractInstance, assets: Iterable[str], block: int) -> dict[str, int]:
    """Each asset's `maxPriceAge` (seconds a stored median stays valid) from its oracle configuration."""
    assets = list(assets)
    configs = batch_call(oracle.provider, [Call.method(oracle, "getAssetConfig", a) for a in assets], block)
    # AssetConfig: (sources, quorum, maxDispersionBps, maxDeviationBps, twapWindow, maxPriceAge, bufferSize)
    return {a: config[5] for a, config in zip(assets, configs, strict=True)}


def _price_calls(oracle: ContractInstance, assets: Sequence[str]) -> list[Call]:
    """Per asset, two calls: `getPriceData` and `sourceStatus` (the status a freeze does not change)."""
    calls = []
    for a in assets:
        calls += [Call.method(oracle, "getPriceData", a), Call.method(oracle, "sourceStatus", a)]
    return calls


def _to_prices(
    assets: Sequence[str], results: Sequence[Any], ages: Mapping[str, int]
) -> dict[str, AssetPrice]:
    """The `AssetPrice` of each asset from the results of `_price_calls` (two per asset)."""
    prices = {}
    for i, a in enumerate(assets):
        (median, twap, status, updated_at), source_status = results[2 * i], results[2 * i + 1]
        prices[a] = AssetPrice(
            median, twap, PriceStatus(status), updated_at, ages[a], PriceStatus(source_status)
        )
    return prices


def fetch_prices(
    oracle: ContractInstance,
    assets: Iterable[str],
    block: int,
    max_price_ages: Mapping[str, int] | None = None,
) -> dict[str, AssetPrice]:
    """The stored prices of `assets` (`getPriceData`: median, TWAP, status at `block`, update time)."""
    assets = list(assets)
    ages = max_price_ages if max_price_ages is not None else fetch_max_price_ages(oracle, assets, block)
    data = batch_call(oracle.provider, _price_calls(oracle, assets), block)
    return _to_prices(assets, data, ages)


def fetch_borrow_index(pool: ContractInstance, block: int) -> int:
    (index,) = batch_call(pool.provider, [Call.method(pool, "borrowIndex")], block)
    return int(index)


# ---------------------------------------------------------------- accounts

MASK_BITS = 16  # the engine lists at most 16 collateral assets and 16 markets
PRODUCT_BITS = 4  # and at most 4 margin products


def product_risk_call(product: str, account: str) -> Call:
    """`IMarginProduct.accountRisk(account, false)`: the figures the engine's health adds."""
    return Call(
        str(product),
        "accountRisk(address,bool)",
        (account, False),
        ("address", "bool"),
        ("(int256,uint256,int256,uint256,uint256)",),
    )


class ParamsOutdated(RuntimeError):
    """An account holds a collateral asset or market listed after the `RiskParams` in use were read."""


@dataclass(frozen=True)
class _Held:
    """What an account's masks list: collateral assets, markets and margin product numbers."""

    collateral: list[str]
    markets: list[int]
    products: list[int]


def _books_calls(
    engine: ContractInstance, account: str, masks: tuple[int, int], product_mask: int, params: RiskParams
) -> tuple[list[Call], _Held]:
    collateral_mask, market_mask = masks
    held_bits = [i for i in range(MASK_BITS) if collateral_mask >> i & 1]
    markets = [m for m in range(MASK_BITS) if market_mask >> m & 1]
    products = [p for p in range(PRODUCT_BITS) if product_mask >> p & 1]
    if (
        any(i >= len(params.collateral_order) for i in held_bits)
        or any(m not in params.markets for m in markets)
        or any(p >= len(params.margin_products) for p in products)
    ):
        raise ParamsOutdated(
            f"{account} uses a collateral asset, market or margin product listed after the parameters were read"
        )
    held = _Held([params.collateral_order[i] for i in held_bits], markets, products)
    calls = [Call.method(engine, "collateralBalance", account, a) for a in held.collateral]
    calls += [Call.method(engine, "position", account, m) for m in markets]
    calls += [product_risk_call(params.margin_products[p], account) for p in products]
    return calls, held


def _account_state(cash: tuple[int, int, int], held: _Held, values: Sequence[Any]) -> AccountState:
    credit, scaled_debt, _ = cash
    n, m = len(held.collateral), len(held.markets)
    balances, positions, risks = values[:n], values[n : n + m], values[n + m :]
    return AccountState(
        collateral=dict(zip(held.collateral, balances, strict=True)),
        credit=credit,
        scaled_debt=scaled_debt,
        positions={k: PositionState(*p) for k, p in zip(held.markets, positions, strict=True)},
        products={k: ProductRisk(*r) for k, r in zip(held.products, risks, strict=True)},
    )


def read_books(
    engine: ContractInstance,
    params: RiskParams,
    accounts: Iterable[str],
    block: int,
    leading: Sequence[Call] = (),
) -> tuple[list[Any], dict[str, AccountState]]:
    """The books of `accounts` at `block`, with the results of the `leading` calls sent in the first round trip.

    Two round trips whatever the number of accounts: masks and cash (with `leading`), then the balances, positions
    and margin-product figures the masks list."""
    provider = engine.provider
    accounts = [to_checksum_address(a) for a in accounts]
    first = [*leading]
    for account in accounts:
        first += [
            Call.method(engine, "accountMasks", account),
            Call.method(engine, "cash", account),
            Call.method(engine, "accountProducts", account),
        ]
    results = batch_call(provider, first, block) if first else []
    per_account = results[len(leading) :]
    second: list[Call] = []
    layout = []
    for i, account in enumerate(accounts):
        masks, cash, product_mask = per_account[3 * i : 3 * i + 3]
        calls, held = _books_calls(engine, account, masks, product_mask, params)
        layout.append((account, cash, held, len(second), len(calls)))
        second += calls
    values = batch_call(provider, second, block) if second else []
    books = {
        account: _account_state(cash, held, values[start : start + n])
        for account, cash, held, start, n in layout
    }
    return results[: len(leading)], books


def fetch_accounts(
    engine: ContractInstance, params: RiskParams, accounts: Iterable[str], block: int
) -> dict[str, AccountState]:
    """The books of `accounts` at `block`."""
    return read_books(engine, params, accounts, block)[1]


def fetch_account(engine: ContractInstance, params: RiskParams, account: str, block: int) -> AccountState:
    return fetch_accounts(engine, params, [account], block)[to_checksum_address(account)]


@dataclass(frozen=True)
class Snapshot:
    """What the health of some accounts reads, at one block: the borrow index, stored prices and books."""

    block: int
    borrow_index: int
    prices: dict[str, AssetPrice]
    accounts: dict[str, AccountState]


def fetch_snapshot(
    engine: ContractInstance,
    pool: ContractInstance,
    oracle: ContractInstance,
    params: RiskParams,
    accounts: Iterable[str],
    block: int,
    max_price_ages: Mapping[str, int],
) -> Snapshot:
    """The borrow index, the stored prices of the assets in `max_price_ages` and the books of `accounts` at `block`,
    in two batched round trips."""
    assets = list(max_price_ages)
    leading = [Call.method(pool, "borrowIndex"), *_price_calls(oracle, assets)]
    results, books = read_books(engine, params, accounts, block, leading)
    prices = _to_prices(assets, results[1:], max_price_ages)
    return Snapshot(block, results[0], prices, books)
