"""Deploying the protocol core: the contracts point at each other through immutables, so they are deployed in one
fixed sequence at addresses predicted from the deployer's nonce (no initializer, no storage lookups for wiring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.project import ProjectManager
from ethpm_types import ContractType

from ballast.errors import DeployError

#: Deployment order of the core; each contract's address is predicted from the deployer's nonce before any deploys.
#: The Pool is also the shared reentrancy lock (`IProtocolLock`) the others take.
CORE_ORDER = (
    "Pool",
    "MarginEngineGovernance",
    "MarginEngineExtension",
    "MarginEngine",
    "Liquidator",
    "InsuranceFund",
)


@dataclass(frozen=True)
class CoreParams:
    """Parameters the core takes at construction (risk parameters are set afterwards by governance)."""

    rate_model: tuple[int, int, int, int] = (
        200,
        1_000,
        8_000,
        15_000,
    )  # annual bps: base, slope1, kink, slope2
    max_utilization_bps: int = 9_000
    cooldown: int = 900
    insurance_fee_share_bps: int = 2_000
    # Auto-deleveraging: starts when traders' net PnL exceeds adl[0] bps of pool value, stops at adl[1] bps.
    adl: tuple[int, int] = (5_000, 4_000)
    # closeFactorBps, criticalHealthBps, penaltyBps (at the maintenance threshold), maxPenaltyBps (at zero equity),
    # keeperShareBps, minKeeperReward (settlement units), dustMarginUsd
    liquidation: tuple[int, int, int, int, int, int, int] = (
        5_000,
        5_000,
        100,
        100,
        3_000,
        1_000_000,
        50 * 10**18,
    )
    insurance_target: int = 100_000 * 10**6


@dataclass(frozen=True)
class Roles:
    admin: Any
    risk_manager: Any
    guardian: Any


@dataclass(frozen=True)
class Core:
    pool: ContractInstance
    engine: ContractInstance
    liquidator: ContractInstance
    insurance: ContractInstance

    @property
    def lock(self) -> ContractInstance:
        """The shared reentrancy lock (`IProtocolLock`): the Pool holds it."""
        return self.pool

    def by_name(self) -> dict[str, Any]:
        return {
            "Pool": self.pool,
            "MarginEngine": self.engine,
            "Liquidator": self.liquidator,
            "InsuranceFund": self.insurance,
        }


def _whole_abi(project: ProjectManager, name: str, *extension_names: str) -> ContractType:
    """The whole API of `name`: its own ABI plus what its fallback delegates to `extension_names` (in turn)."""
    core = getattr(project, name).contract_type
    seen: set[tuple[str, str]] = set()
    abi = []
    # The core's constructor stays; the extensions' do not.
    own = [
        entry
        for extension_name in extension_names
        for entry in getattr(project, extension_name).contract_type.abi
        if entry.type != "constructor"
    ]
    for entry in [*core.abi, *own]:
        if getattr(entry, "name", None) == "initialize":
            continue  # only callable while the core contract is being constructed
        key = (entry.type, entry.signature if entry.type in ("function", "event", "error") else "")
        if key not in seen:
            seen.add(key)
            abi.append(entry)
    whole: ContractType = core.model_copy(update={"abi": abi})
    return whole


def engine_abi(project: ProjectManager) -> ContractType:
    """The whole MarginEngine API: the engine's own ABI plus what it delegates to its MarginEngineExtension and that
    to the MarginEngineGovernance."""
    return _whole_abi(project, "MarginEngine", "MarginEngineExtension", "MarginEngineGovernance")


def pool_abi(project: ProjectManager) -> ContractType:
    """The whole Pool API: the Pool's own ABI plus what it delegates to its PoolExtension (governance, the product
    registry, book-keeping views)."""
    return _whole_abi(project, "Pool", "PoolExtension")


def margin_engine_at(project: ProjectManager, address: Any) -> ContractInstance:
    """The MarginEngine at `address` with its whole API (governance and views are served by its extension)."""
    return ContractInstance(address, engine_abi(project))


def pool_at(project: ProjectManager, address: Any) -> ContractInstance:
    """The Pool at `address` with its whole API (governance, the product registry and views are served by its
    extension)."""
    return ContractInstance(address, pool_abi(project))


def _predict(deployer: AccountAPI, names: tuple[str, ...]) -> dict[str, Any]:
    """Addresses of the next contracts `deployer` deploys, in order."""
    nonce = deployer.nonce
    return {name: deployer.get_deployment_address(nonce + i) for i, name in enumerate(names)}


def _check_wiring(contracts: dict[str, Any], predicted: dict[str, Any]) -> None:
    for name, contract in contracts.items():
        if contract.address != predicted[name]:
            raise DeployError(
                f"{name} deployed at {contract.address}, expected {predicted[name]} (another transaction used "
                "the deployer's nonce)"
            )


def _deploy_pool(
    project: ProjectManager, deployer: AccountAPI, wiring: tuple[Any, ...], roles: Roles, params: CoreParams
) -> ContractInstance:
    """The Pool (with its whole API, the shared lock's included), given (oracle, settlement, engine, liquidator,
    insurance fund) and the roles."""
    full_wiring = (*wiring, roles.admin, roles.risk_manager, roles.guardian)
    deployed = project.Pool.deploy(
        full_wiring, params.rate_model, params.max_utilization_bps, params.cooldown, sender=deployer
    )
    return pool_at(project, deployed.address)


def _deploy_fund(
    project: ProjectManager, deployer: AccountAPI, wiring: tuple[Any, ...], roles: Roles, params: CoreParams
) -> ContractInstance:
    """The InsuranceFund, given (lock, settlement, pool, liquidator): the admin governs it, the risk manager sizes it."""
    return project.InsuranceFund.deploy(
        *wiring, roles.admin, roles.risk_manager, params.insurance_target, sender=deployer
    )


def deploy_core(
    project: ProjectManager,
    deployer: AccountAPI,
    oracle: ContractInstance,
    settlement: ContractInstance,
    roles: Roles,
    params: CoreParams = CoreParams(),
    *,
    stand_in: bool = False,
) -> Core:
    """Deploy Pool (the shared lock), MarginEngine, Liquidator and InsuranceFund wired to `oracle` and the
    `settlement` token.

    With `stand_in`, a MockEngine plays both the MarginEngine and the Liquidator (benchmarks that set traders'
    exposure by hand; test networks only)."""
    if stand_in:
        return _deploy_with_stand_in(project, deployer, oracle, settlement, roles, params)
    predicted = _predict(deployer, CORE_ORDER)
    engine_at, liquidator_at, fund_at = (
        predicted[n] for n in ("MarginEngine", "Liquidator", "InsuranceFund")
    )
    admin, risk, guardian = roles.admin, roles.risk_manager, roles.guardian

    pool = _deploy_pool(
        project, deployer, (oracle, settlement, engine_at, liquidator_at, fund_at), roles, params
    )
    # Every other core contract takes the shared lock at the Pool.
    lock = pool
    engine_wiring = (lock, oracle, pool, liquidator_at, fund_at, admin, risk, guardian)
    # The governance and the extension first (their creation code does not fit in the engine's), built for the
    # engine's address.
    governance = project.MarginEngineGovernance.deploy(engine_wiring, engine_at, sender=deployer)
    extension = project.MarginEngineExtension.deploy(engine_wiring, engine_at, governance, sender=deployer)
    engine = margin_engine_at(
        project,
        project.MarginEngine.deploy(
            engine_wiring, extension, params.insurance_fee_share_bps, *params.adl, sender=deployer
        ).address,
    )
    liquidator_wiring = (lock, engine, pool, fund_at, oracle, settlement, admin, risk)
    liquidator = project.Liquidator.deploy(liquidator_wiring, params.liquidation, sender=deployer)
    insurance = _deploy_fund(project, deployer, (lock, settlement, pool, liquidator), roles, params)
    core = Core(pool, engine, liquidator, insurance)
    _check_wiring(core.by_name(), predicted)
    return core


#: Order of a stand-in deployment: a MockEngine plays both the MarginEngine and the Liquidator.
STAND_IN_ORDER = ("MockEngine", "Pool", "InsuranceFund")


def _deploy_with_stand_in(
    project: ProjectManager,
    deployer: AccountAPI,
    oracle: ContractInstance,
    settlement: ContractInstance,
    roles: Roles,
    params: CoreParams,
) -> Core:
    predicted = _predict(deployer, STAND_IN_ORDER)
    pool_at, fund_at = (predicted[n] for n in ("Pool", "InsuranceFund"))
    engine = project.MockEngine.deploy(pool_at, sender=deployer)  # the Pool is the shared lock
    pool = _deploy_pool(project, deployer, (oracle, settlement, engine, engine, fund_at), roles, params)
    insurance = _deploy_fund(project, deployer, (pool, settlement, pool, engine), roles, params)
    _check_wiring({"MockEngine": engine, "Pool": pool, "InsuranceFund": insurance}, predicted)
    engine.setPool(pool, sender=deployer)
    return Core(pool, engine, engine, insurance)


# ---------------------------------------------------------------------------------------------------- options


def deploy_options_book(
    project: ProjectManager,
    deployer: AccountAPI,
    engine: ContractInstance,
    admin: Any,
    risk_manager: Any,
    risk_params: tuple[int, ...],
    settlement_window: int,
) -> ContractInstance:
    """An OptionsBook serving `engine` (European cash-settled options, a margin product): `admin` governs its risk
    parameters, `risk_manager` lists series and sets implied volatilities. The engine's admin lists it with
    `listMarginProduct`."""
    return project.OptionsBook.deploy(
        engine, admin, risk_manager, risk_params, settlement_window, sender=deployer
    )


def list_options_book(engine: ContractInstance, book: ContractInstance, admin: AccountAPI) -> int:
    """List `book` as the engine's next margin product (engine admin); its product number."""
    product = len(engine.marginProducts())
    engine.listMarginProduct(book, sender=admin)
    return product
