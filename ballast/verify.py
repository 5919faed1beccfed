"""Reading a deployment back: the core's immutables against its manifest (`verify_wiring`), and its roles,
listings and parameters against the config (`verify_settings`). Each returns one line per difference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ape.contracts import ContractInstance
from ape.managers.project import ProjectManager

from ballast.config import DeploymentConfig
from ballast.manifest import Manifest, contract, feed, token
from ballast.params import (
    ADMIN_ROLE,
    collateral_params,
    core_params,
    implied_vol_wad,
    liveness_params,
    margin_engine_caps,
    market_params,
    onboarding_params,
    options_risk_params,
    oracle_asset_config,
    pool_asset_params,
)

#: Stands for the settlement token's address in `_WIRING`.
_SETTLEMENT = "settlement asset"
#: Each core contract's immutable getters, in the order they are read, and the manifest contract each returns.
_WIRING: dict[str, dict[str, str]] = {
    "Pool": {
        "oracle": "OracleAggregator",
        "settlementAsset": _SETTLEMENT,
        "marginEngine": "MarginEngine",
        "liquidator": "Liquidator",
        "insuranceFund": "InsuranceFund",
        "extension": "PoolExtension",
    },
    "PoolExtension": {"pool": "Pool"},
    "MarginEngine": {
        "protocolLock": "Pool",
        "oracle": "OracleAggregator",
        "pool": "Pool",
        "liquidator": "Liquidator",
        "insuranceFund": "InsuranceFund",
        "settlementAsset": _SETTLEMENT,
        "extension": "MarginEngineExtension",
    },
    "MarginEngineExtension": {
        "protocolLock": "Pool",
        "engine": "MarginEngine",
        "governance": "MarginEngineGovernance",
    },
    "MarginEngineGovernance": {"engine": "MarginEngine"},
    "Liquidator": {
        "protocolLock": "Pool",
        "engine": "MarginEngine",
        "pool": "Pool",
        "insuranceFund": "InsuranceFund",
        "oracle": "OracleAggregator",
        "settlementAsset": _SETTLEMENT,
    },
    "InsuranceFund": {
        "protocolLock": "Pool",
        "asset": _SETTLEMENT,
        "pool": "Pool",
        "liquidator": "Liquidator",
    },
    "AssetOnboarding": {
        "bondToken": _SETTLEMENT,
        "timelock": "BallastTimelock",
        "oracle": "OracleAggregator",
        "pool": "Pool",
        "engine": "MarginEngine",
    },
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return str(a).lower() == str(b).lower()


def _struct(value: Any) -> tuple[Any, ...]:
    return tuple(int(v) if not isinstance(v, str) else v.lower() for v in value)


def verify_wiring(project: ProjectManager, manifest: Manifest) -> list[str]:
    """Immutables of the core read back against the manifest: what can never change after deployment."""

    c = manifest.contracts
    settlement = manifest.tokens[manifest.settlement_symbol]
    problems: list[str] = []

    def expect(what: str, read: Callable[[], Any], expected: Any) -> None:
        try:
            actual = read()
        except Exception as err:  # a call to the wrong contract reverts: that is a finding, not a crash
            problems.append(f"{what} failed ({type(err).__name__}), expected {expected}")
            return
        if not _same(actual, expected):
            problems.append(f"{what} is {actual}, expected {expected}")

    # The Pool holds the shared lock: its core members are the four core contracts, the Pool first.
    pool = contract(project, manifest, "Pool")
    expected_members = [c["Pool"], c["MarginEngine"], c["Liquidator"], c["InsuranceFund"]]
    expect("Pool.members()", lambda: [str(m) for m in pool.members()], expected_members)

    for name, getters in _WIRING.items():
        if name not in c:
            problems.append(f"the manifest lists no {name}")
            continue
        instance = contract(project, manifest, name)
        for getter, target in getters.items():
            expected = settlement if target == _SETTLEMENT else c[target]
            expect(f"{name}.{getter}()", getattr(instance, getter), expected)

    # The MarginEngine is product 0 for ever; every product governance added since is a member of the shared lock.
    expect("Pool.products()[0]", lambda: str(pool.products()[0]), c["MarginEngine"])
    expect(
        "Pool.addedMembers() == Pool.products()[1:]",
        lambda: [str(m) for m in pool.addedMembers()] == [str(p) for p in pool.products()[1:]],
        True,
    )

    oracle = contract(project, manifest, "OracleAggregator")
    expect(
        "OracleAggregator.minTwapWindow()", oracle.minTwapWindow, manifest.config["oracle"]["minTwapWindow"]
    )
    if manifest.options is not None:
        book = contract(project, manifest, "OptionsBook")
        expect("OptionsBook.engine()", book.engine, c["MarginEngine"])
        expect("OptionsBook.oracle()", book.oracle, c["OracleAggregator"])
        engine = contract(project, manifest, "MarginEngine")
        expect(
            f"MarginEngine.marginProducts()[{manifest.options.product}]",
            lambda: str(engine.marginProducts()[manifest.options.product]),  # type: ignore[union-attr]
            c["OptionsBook"],
        )
    return problems


@dataclass
class _Readback:
    """A deployment's contracts and tokens, the config they should match, and the differences found so far."""

    project: ProjectManager
    manifest: Manifest
    config: DeploymentConfig
    instances: dict[str, ContractInstance]
    tokens: dict[str, ContractInstance]
    problems: list[str] = field(default_factory=list)

    def expect(self, what: str, actual: Any, expected: Any) -> None:
        if actual != expected:
            self.problems.append(f"{what} is {actual}, expected {expected}")


def verify_settings(project: ProjectManager, manifest: Manifest, config: DeploymentConfig) -> list[str]:
    """Roles, listings and parameters read back against the config: what governance may change later."""
    instances = {name: contract(project, manifest, name) for name in manifest.contracts}
    tokens = {symbol: token(project, manifest, symbol) for symbol in manifest.tokens}
    readback = _Readback(project, manifest, config, instances, tokens)
    checks = (
        _roles,
        _tokens_and_sources,
        _pool_settings,
        _engine_settings,
        _liquidation_settings,
        _options_settings,
        _onboarding_settings,
    )
    for check in checks:
        check(readback)
    return readback.problems


def _roles(r: _Readback) -> None:
    """The timelock is the only admin; the deployer kept none; every role is held by the config's holder."""
    expect, instances, config, roles = r.expect, r.instances, r.config, r.manifest.roles
    deployer, timelock_address = r.manifest.deployer, r.manifest.contracts["BallastTimelock"]
    for name in ("OracleAggregator", "Pool", "MarginEngine", "Liquidator", "InsuranceFund"):
        c = instances[name]
        expect(f"{name}: timelock holds the admin role", c.hasRole(ADMIN_ROLE, timelock_address), True)
        expect(f"{name}: deployer holds the admin role", c.hasRole(ADMIN_ROLE, deployer), False)
    for name in ("Pool", "MarginEngine", "Liquidator", "InsuranceFund"):
        c = instances[name]
        expect(f"{name}: risk manager role", c.hasRole(c.RISK_MANAGER_ROLE(), roles["riskManager"]), True)
    for name in ("OracleAggregator", "Pool", "MarginEngine"):
        c = instances[name]
        expect(f"{name}: guardian role", c.hasRole(c.GUARDIAN_ROLE(), roles["guardian"]), True)
    oracle_ = instances["OracleAggregator"]
    committee = roles.get("riskCommittee", roles["riskManager"])
    expect(
        "OracleAggregator: risk committee role",
        oracle_.hasRole(oracle_.RISK_COMMITTEE_ROLE(), committee),
        True,
    )
    expect("OracleAggregator.livenessParams()", _struct(oracle_.livenessParams()), liveness_params(config))
    timelock = instances["BallastTimelock"]
    expect("BallastTimelock.getMinDelay()", int(timelock.getMinDelay()), config.roles.timelock.min_delay)
    expect("BallastTimelock: self-administered", timelock.hasRole(ADMIN_ROLE, timelock_address), True)
    expect("BallastTimelock: deployer is its admin", timelock.hasRole(ADMIN_ROLE, deployer), False)
    for address in roles["proposers"]:
        expect(
            f"BallastTimelock: proposer {address}", timelock.hasRole(timelock.PROPOSER_ROLE(), address), True
        )
    for address in roles["executors"]:
        expect(
            f"BallastTimelock: executor {address}", timelock.hasRole(timelock.EXECUTOR_ROLE(), address), True
        )


def _tokens_and_sources(r: _Readback) -> None:
    """Token decimals, each oracle asset's sources and parameters, and who owns and reports into push feeds."""
    expect, instances, tokens, config, manifest = r.expect, r.instances, r.tokens, r.config, r.manifest
    roles, deployer, project = manifest.roles, manifest.deployer, r.project
    for symbol, spec in config.tokens.items():
        expect(f"token {symbol} decimals", int(tokens[symbol].decimals()), spec.decimals)
    oracle = instances["OracleAggregator"]
    for symbol in config.oracle.assets:
        entries = manifest.feeds[symbol]
        on_chain = oracle.getAssetConfig(tokens[symbol])
        expected = oracle_asset_config(config, symbol, entries)
        actual_sources = [
            (str(s.feed).lower(), int(s.heartbeat), int(s.minAnswer), int(s.maxAnswer))
            for s in on_chain.sources
        ]
        expected_sources = [(a.lower(), h, lo, hi) for a, h, lo, hi in expected[0]]
        expect(f"OracleAggregator sources of {symbol}", actual_sources, expected_sources)
        actual_params = (
            int(on_chain.quorum),
            int(on_chain.maxDispersionBps),
            int(on_chain.maxDeviationBps),
            int(on_chain.twapWindow),
            int(on_chain.maxPriceAge),
            int(on_chain.bufferSize),
        )
        expect(f"OracleAggregator parameters of {symbol}", actual_params, tuple(expected[1:]))
        for i, entry in enumerate(entries):
            if entry.kind == "push":
                push = feed(project, entry)
                expect(f"push feed {symbol} #{i} owner", str(push.owner()).lower(), deployer.lower())
                expect(f"push feed {symbol} #{i}: keeper reports", push.isReporter(roles["keeper"]), True)


def _pool_settings(r: _Readback) -> None:
    """The Pool's rate model, limits, cooldown and listed assets."""
    expect, instances, tokens, config, manifest = r.expect, r.instances, r.tokens, r.config, r.manifest
    pool = instances["Pool"]
    rm = config.pool.rate_model
    expect(
        "Pool.rateModel()",
        _struct(pool.rateModel()),
        (rm.base_rate_bps, rm.slope1_bps, rm.kink_bps, rm.slope2_bps),
    )
    expect("Pool.maxUtilizationBps()", int(pool.maxUtilizationBps()), config.pool.max_utilization_bps)
    expect("Pool.cooldown()", int(pool.cooldown()), config.pool.cooldown)
    expected_assets = [manifest.tokens[s].lower() for s in config.pool.assets]
    expect("Pool.assets()", [str(a).lower() for a in pool.assets()], expected_assets)
    for symbol in config.pool.assets:
        expect(
            f"Pool.assetParams({symbol})",
            _struct(pool.assetParams(tokens[symbol])),
            pool_asset_params(config, symbol),
        )
    expect(
        "Pool.productCaps(MarginEngine)",
        _struct(pool.productCaps(manifest.contracts["MarginEngine"])),
        margin_engine_caps(config),
    )


def _engine_settings(r: _Readback) -> None:
    """The MarginEngine's fee share, ADL parameters, collateral and markets."""
    expect, instances, tokens, config, manifest = r.expect, r.instances, r.tokens, r.config, r.manifest
    engine = instances["MarginEngine"]
    expect(
        "MarginEngine.insuranceFeeShareBps()",
        int(engine.insuranceFeeShareBps()),
        config.insurance.fee_share_bps,
    )
    expect(
        "MarginEngine.adlParams()",
        _struct(engine.adlParams()),
        (config.adl.threshold_bps, config.adl.target_bps),
    )
    expected_collateral = [manifest.tokens[s].lower() for s in config.collateral]
    expect(
        "MarginEngine.collateralAssets()",
        [str(a).lower() for a in engine.collateralAssets()],
        expected_collateral,
    )
    for symbol, collateral in config.collateral.items():
        expect(
            f"MarginEngine.collateralParams({symbol})",
            _struct(engine.collateralParams(tokens[symbol])),
            collateral_params(config, symbol),
        )
        expect(
            f"MarginEngine.collateralIsolation({symbol}) debt ceiling",
            int(engine.collateralIsolation(tokens[symbol])[0]),
            collateral.debt_ceiling_usd * 10**18,
        )
    expect("MarginEngine.rampDuration()", int(engine.rampDuration()), config.roles.timelock.ramp_duration)
    expect("MarginEngine.marketCount()", int(engine.marketCount()), len(config.markets))
    for i, market in enumerate(config.markets):
        if i < int(engine.marketCount()):
            expected_market = market_params(config, i, manifest.tokens[market.asset])
            expected_market = (expected_market[0].lower(), *expected_market[1:])
            expect(
                f"MarginEngine.marketParams({i}) ({market.name})",
                _struct(engine.marketParams(i)),
                expected_market,
            )


def _liquidation_settings(r: _Readback) -> None:
    """The Liquidator's parameters and the InsuranceFund's target."""
    expect, instances, config = r.expect, r.instances, r.config
    expect("Liquidator.params()", _struct(instances["Liquidator"].params()), core_params(config).liquidation)
    expect(
        "InsuranceFund.target()",
        int(instances["InsuranceFund"].target()),
        core_params(config).insurance_target,
    )


def _onboarding_settings(r: _Readback) -> None:
    """The AssetOnboarding: administered by the timelock alone, the config's risk committee, the timelock's proposer
    and canceller, and the config's parameters."""
    expect, manifest = r.expect, r.manifest
    if "AssetOnboarding" not in r.instances:
        return  # verify_wiring reports it
    onboarding, timelock = r.instances["AssetOnboarding"], r.instances["BallastTimelock"]
    roles, deployer = manifest.roles, manifest.deployer
    expect(
        "AssetOnboarding: timelock holds the admin role", onboarding.hasRole(ADMIN_ROLE, roles["admin"]), True
    )
    expect("AssetOnboarding: deployer holds the admin role", onboarding.hasRole(ADMIN_ROLE, deployer), False)
    committee = roles.get("riskCommittee", roles["riskManager"])
    expect(
        "AssetOnboarding: risk committee role",
        onboarding.hasRole(onboarding.RISK_COMMITTEE_ROLE(), committee),
        True,
    )
    for role in ("PROPOSER_ROLE", "CANCELLER_ROLE"):
        expect(
            f"BallastTimelock: AssetOnboarding holds {role}",
            timelock.hasRole(getattr(timelock, role)(), onboarding.address),
            True,
        )
    expect("AssetOnboarding.params()", _struct(onboarding.params()), onboarding_params(r.config))


def _options_settings(r: _Readback) -> None:
    """The OptionsBook: its roles, settlement window, risk parameters, implied volatilities and the series listed at
    deployment (as the manifest recorded them)."""
    expect, config, manifest = r.expect, r.config, r.manifest
    if config.options is None or manifest.options is None:
        expect("OptionsBook deployed", manifest.options is not None, config.options is not None)
        return
    book, o = r.instances["OptionsBook"], config.options
    roles, deployer = manifest.roles, manifest.deployer
    expect("OptionsBook: timelock holds the admin role", book.hasRole(ADMIN_ROLE, roles["admin"]), True)
    expect("OptionsBook: deployer holds the admin role", book.hasRole(ADMIN_ROLE, deployer), False)
    risk_role = book.RISK_MANAGER_ROLE()
    expect("OptionsBook: risk manager role", book.hasRole(risk_role, roles["riskManager"]), True)
    if str(roles["riskManager"]).lower() != deployer.lower():
        expect("OptionsBook: deployer holds the risk manager role", book.hasRole(risk_role, deployer), False)
    expect("OptionsBook.settlementWindow()", int(book.settlementWindow()), o.settlement_window)
    expect("OptionsBook.riskParams()", _struct(book.riskParams()), options_risk_params(config))
    for symbol in o.implied_vol:
        expect(
            f"OptionsBook.impliedVol({symbol})",
            int(book.impliedVol(r.tokens[symbol])),
            implied_vol_wad(config, symbol),
        )
    listed = manifest.options.series
    expect("OptionsBook: series listed at deployment", len(listed), len(o.series))
    for entry, series in zip(listed, o.series, strict=False):
        s = book.series(entry.id)
        actual = (str(s.asset).lower(), int(s.strike), int(s.expiry), bool(s.isCall), int(s.maxOpenSize))
        wanted = (
            manifest.tokens[series.asset].lower(),
            int(series.strike * 10**18),
            entry.expiry,
            series.is_call,
            int(series.max_open_size * 10**18),
        )
        expect(f"OptionsBook.series({entry.id}) ({entry.name})", actual, wanted)
