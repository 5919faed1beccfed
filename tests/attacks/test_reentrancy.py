"""Reentrancy through a token callback (an ERC777/ERC1363-style hook, MockCallbackToken "CBK", listed as pool asset
and collateral at $1) into every external entry point of the four members of the shared lock, which the Pool holds.

Every member entry point that moves value or reads the books holds the lock (`guarded`): re-entered from a token
transfer inside another guarded call, each reverts `Locked`, the whole transaction unwinds and no balance or book
changes. The other non-view functions are listed with the reason they need no lock (the ABI check below keeps the
list complete): members-only functions revert `Unauthorized` for any other caller, a token included
(test_access_control), governance setters move no funds, and the LP share's ERC20 functions move only the caller's
own unlocked shares without reading any valuation.
"""

import ape
import pytest

from ballast.system import engine_abi, pool_abi

from support.core import COLLATERAL, MAX_UINT, WETH_PERP, wad

CBK = 10**18  # one CBK ($1)

#: Member entry points that take the lock, with the arguments a re-entry passes (any valid call would do).
GUARDED = {
    "Pool.deposit": ("pool", "deposit", lambda c: (c.usdc, 1, 0, c.trader)),
    "Pool.withdraw": ("pool", "withdraw", lambda c: (1, c.usdc, 0, c.trader)),
    "Pool.poke": ("pool", "poke", lambda c: ()),
    "MarginEngine.deposit": ("engine", "deposit", lambda c: (c.cbk, CBK, c.trader)),
    "MarginEngine.withdraw": ("engine", "withdraw", lambda c: (c.cbk, CBK, c.trader)),
    "MarginEngine.modifyPosition": ("engine", "modifyPosition", lambda c: (WETH_PERP, wad(0.1), MAX_UINT)),
    "MarginEngine.autoDeleverage": ("engine", "autoDeleverage", lambda c: (c.trader2, WETH_PERP)),
    "MarginEngine.tradeProduct": ("engine", "tradeProduct", lambda c: (0, b"")),
    "Liquidator.liquidate": ("liquidator", "liquidate", lambda c: (c.trader2,)),
    "Liquidator.liquidateMany": ("liquidator", "liquidateMany", lambda c: ([c.trader2],)),
    "MarginEngine.provision": ("engine", "provision", lambda c: ([c.trader2],)),
    "MarginEngine.refreshIsolatedDebt": ("engine", "refreshIsolatedDebt", lambda c: ([c.trader2],)),
    "InsuranceFund.fund": ("insurance", "fund", lambda c: (1, b"\0" * 32)),
    "InsuranceFund.sweep": ("insurance", "sweep", lambda c: ()),
    "InsuranceFund.withdraw": ("insurance", "withdraw", lambda c: (c.trader, 1)),
}
#: The members' other non-view functions, by why they need no lock.
MEMBERS_ONLY = {
    "Pool": {
        "payProfit",
        "payProfitInKind",
        "receiveLoss",
        "lend",
        "repay",
        "absorb",
        "socializeDeficit",
        "receiveInsuranceExcess",
        "checkUtilization",
        # The shared lock the Pool holds: taken and released by its members only (NotMember), a member added by the
        # Pool itself only (NotMemberAdmin); the Pool's own entry points take it without a call.
        "lock",
        "unlock",
        "addMember",
    },
    "MarginEngine": {
        "liquidateAccount",
        "absorbCollateral",
        "payKeeperInCollateral",
        "writeOffDebt",
        # The engine's own code only (its caller must be the engine), inside its guarded trader actions.
        "recordIsolatedDebt",
    },
    "InsuranceFund": {"cover"},
    # Callable by the Liquidator itself only, inside `liquidateMany`, which holds the lock.
    "Liquidator": {"liquidateInBatch"},
}
GOVERNANCE = {
    "Pool": {
        "listAsset",
        "setAssetParams",
        "setRateModel",
        "setMaxUtilization",
        "setCooldown",
        "setDepositsPaused",
        "addProduct",
        "setProductCaps",
    },
    "MarginEngine": {
        "listCollateral",
        "setCollateralParams",
        "listMarket",
        "setMarketParams",
        "setNewRiskPaused",
        "setInsuranceFeeShare",
        "setAdlParams",
        "listMarginProduct",
        "setRampDuration",
        "setCollateralIsolation",
    },
    "InsuranceFund": {"setTarget"},
    "Liquidator": {"setParams"},
}
ACCESS_CONTROL = {"grantRole", "revokeRole", "renounceRole"}
LP_SHARE_ERC20 = {"transfer", "transferFrom", "approve"}


class Cast:
    """The names a re-entry's arguments refer to."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


@pytest.fixture(scope="module")
def cbk(seeded, project, gov, risk_manager, list_token, give, engine, pool, lp, trader, trader2, settle):
    """CBK listed; `trader` holds 10 CBK of collateral and 10 in its wallet; `lp` 10 CBK of pool reserves (no
    cooldown); `trader2` is insolvent on 1,000 CBK and a WETH long after a WETH crash (its liquidation absorbs)."""
    token = project.MockCallbackToken.deploy(sender=gov)
    list_token(token, 1.0, COLLATERAL["WETH"])
    pool.setCooldown(0, sender=risk_manager)
    give(trader, token, 20 * CBK, engine)
    engine.deposit(token, 10 * CBK, trader, sender=trader)
    give(lp, token, 10 * CBK, pool)
    pool.deposit(token, 10 * CBK, 0, lp, sender=lp)
    give(trader2, token, 1_000 * CBK, engine)
    engine.deposit(token, 1_000 * CBK, trader2, sender=trader2)
    engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=trader2)
    settle({"WETH": 1_500 * 10**8})
    assert engine.liquidationHealth(trader2).maintenanceEquity < 0
    return token


@pytest.fixture
def books(cbk, tokens, engine, pool, liquidator, insurance, core, lp, trader, trader2):
    """Every balance and book a re-entry could touch."""

    def _books():
        holders = (lp, trader, trader2, engine, pool, liquidator, insurance)
        return {
            "cbk": [cbk.balanceOf(h) for h in holders],
            "usdc": [tokens["USDC"].balanceOf(h) for h in holders],
            "collateral": [engine.collateralBalance(a, cbk) for a in (trader, trader2)],
            "cash": [tuple(engine.cash(a))[:2] for a in (trader, trader2)],
            "positions": [engine.position(a, WETH_PERP).size for a in (trader, trader2)],
            "pool": (
                pool.reserves(cbk),
                pool.reserves(tokens["USDC"]),
                pool.totalSupply(),
                pool.totalScaledDebt(),
            ),
            "insurance": insurance.bookedBalance(),
            "locked": core.lock.isLocked(),
        }

    return _books


@pytest.fixture
def reentry(cbk, tokens, pool, engine, liquidator, insurance, trader, trader2):
    """(target contract, calldata) of a re-entry into a guarded entry point."""
    contracts = {"pool": pool, "engine": engine, "liquidator": liquidator, "insurance": insurance}
    cast = Cast(usdc=tokens["USDC"], cbk=cbk, trader=trader, trader2=trader2)

    def _reentry(name):
        contract, method, args = GUARDED[name]
        target = contracts[contract]
        return target, getattr(target, method).encode_input(*args(cast))

    return _reentry


@pytest.mark.parametrize("entry_point", sorted(GUARDED))
def test_reentrancy__token_callback_during_collateral_deposit__into_every_guarded_entry_point__reverts_locked(
    cbk, engine, insurance, core, gov, trader, books, reentry, entry_point
):
    """A trader deposits CBK collateral; the token's hook re-enters `entry_point` mid-transfer. The re-entry
    reverts Locked and takes the deposit with it: nothing moved. With a harmless hook the same deposit works."""
    if entry_point == "InsuranceFund.withdraw":
        insurance.grantRole(b"\0" * 32, cbk, sender=gov)  # the lock, not the role, must be what stops it
    before = books()
    cbk.arm(*reentry(entry_point), sender=trader)
    with ape.reverts(core.lock.Locked):
        engine.deposit(cbk, CBK, trader, sender=trader)
    assert books() == before

    cbk.arm(core.lock, core.lock.isLocked.encode_input(), sender=trader)
    engine.deposit(cbk, CBK, trader, sender=trader)
    assert engine.collateralBalance(trader, cbk) == before["collateral"][0] + CBK


@pytest.mark.parametrize(
    "outer, inner",
    [
        ("Pool.deposit", "MarginEngine.withdraw"),
        ("Pool.withdraw", "Liquidator.liquidate"),
        ("MarginEngine.withdraw", "Pool.deposit"),
        ("Liquidator.liquidate", "InsuranceFund.sweep"),
    ],
)
def test_reentrancy__token_callback_during_every_transferring_entry_point__into_another_member__reverts_locked(
    cbk, engine, pool, liquidator, core, lp, trader, trader2, keeper, books, reentry, outer, inner
):
    """The hook fires inside each other entry point that moves CBK: an LP deposit and withdrawal, a collateral
    withdrawal, and a liquidation that absorbs CBK collateral into the Pool (the seizure's transfer). Each
    re-entry into another member reverts Locked and nothing moves; with a harmless hook each goes through."""
    run = {
        "Pool.deposit": lambda: pool.deposit(cbk, CBK, 0, lp, sender=lp),
        "Pool.withdraw": lambda: pool.withdraw(10**18, cbk, 0, lp, sender=lp),  # one share, about one CBK
        "MarginEngine.withdraw": lambda: engine.withdraw(cbk, CBK, trader, sender=trader),
        "Liquidator.liquidate": lambda: liquidator.liquidate(trader2, sender=keeper),
    }[outer]
    cbk.mint(lp, CBK, sender=lp)
    before = books()
    cbk.arm(*reentry(inner), sender=keeper)
    with ape.reverts(core.lock.Locked):
        run()
    assert books() == before

    cbk.arm(core.lock, core.lock.isLocked.encode_input(), sender=keeper)
    tx = run()
    assert books() != before
    if outer == "Liquidator.liquidate":
        assert tx.events.filter(liquidator.Absorbed)[0].account == trader2.address
        assert pool.reserves(cbk) == before["pool"][0] + 1_000 * CBK


def test_reentrancy__entry_point_lists__cover_every_non_view_function_of_the_lock_members(project):
    """Every non-view function of the Pool, the MarginEngine (with its extension), the Liquidator and the
    InsuranceFund is either re-entered above or listed with the reason it needs no lock."""
    abis = {
        "Pool": pool_abi(project).abi,
        "MarginEngine": engine_abi(project).abi,
        "Liquidator": project.Liquidator.contract_type.abi,
        "InsuranceFund": project.InsuranceFund.contract_type.abi,
    }
    for name, abi in abis.items():
        functions = {
            e.name for e in abi if e.type == "function" and e.stateMutability not in ("view", "pure")
        }
        guarded = {key.split(".")[1] for key in GUARDED if key.startswith(name + ".")}
        listed = guarded | MEMBERS_ONLY[name] | GOVERNANCE[name] | ACCESS_CONTROL
        if name == "Pool":
            listed |= LP_SHARE_ERC20
        assert functions == listed, name
