// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {CoreHandler} from "./CoreHandler.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";

/// @title CoreInvariantTest
/// @notice Stateful fuzzing of the whole core through `CoreHandler.step` (LP deposits and withdrawals, trader cash,
/// collateral and positions, price moves, time, liquidations, insurance sweeps), checking docs/design.md#invariants
/// accounting invariants after every step. Runs and depth: `[invariant]` in foundry.toml (32 x 64 in CI); the deep
/// profile: `FOUNDRY_PROFILE=deep forge test --match-path tests/forge/invariant/CoreInvariant.t.sol -vv`. Print the ghost
/// statistics of the last run with `-vv`.
/// @dev The core is `EngineFixture._deployBenchCore` (the bench's deployment). Two changes for reach: the
/// InsuranceFund target is 100 USDC instead of 100,000 USDC (so the fees and penalties of a short run can exceed it
/// and `sweep` has something to do), and the two LPs seed 500,000 USD of each pool asset each.
contract CoreInvariantTest is EngineFixture {
    uint256 internal constant SEED_USD = 500_000e18;
    uint256 internal constant SWEEP_TARGET = 100e6;

    CoreHandler internal handler;
    address[2] internal lps;
    address[3] internal traders;
    address internal attacker;

    function setUp() public {
        _deployBenchCore();
        insurance.setTarget(SWEEP_TARGET);
        lps = [_actor("lp0"), _actor("lp1")];
        traders = [_actor("trader0"), _actor("trader1"), _actor("trader2")];
        address keeper = _actor("keeper");
        address guardian = _actor("guardian");
        attacker = _actor("attacker");
        oracle.grantRole(oracle.GUARDIAN_ROLE(), guardian);
        // The shortest freeze the oracle allows: the handler's time steps (1 minute to 1 day) then often outlast a
        // freeze, and L5 (no freeze outlives its expiry) is checked on real expiries.
        IOracleAggregator.LivenessParams memory liveness = oracle.livenessParams();
        liveness.maxFreezeDuration = 1 hours;
        oracle.setLivenessParams(liveness);
        for (uint256 k = 0; k < 2; ++k) {
            _seedPoolFrom(lps[k], SEED_USD);
        }
        _seedPoolFrom(attacker, SEED_USD / 5);

        MockERC20[3] memory tokens = [usdc, wbtc, weth];
        MockFeed[3] memory feeds = [feedOf[address(usdc)], feedOf[address(wbtc)], feedOf[address(weth)]];
        handler = new CoreHandler(
            pool,
            engine,
            liquidator,
            insurance,
            oracle,
            tokens,
            feeds,
            CoreHandler.Actors(lps, traders, keeper, guardian, _actor("stranger"), attacker),
            vm.getBlockTimestamp()
        );
        vm.label(address(handler), "handler");
        // Governance steps (the maintenance ramps) come from the handler.
        MarginEngineGovernance(address(engine)).grantRole(bytes32(0), address(handler));

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = CoreHandler.step.selector;
        targetSelector(address(handler), selectors);
    }

    // ---------------------------------------------------------------- invariants (docs/design.md#invariants)

    /// @notice (1) Every contract holds at least what its books say: the engine its collateral totals and, in USDC,
    /// the sum of the accounts' credit; the Pool its reserves; the InsuranceFund its booked balance; the Liquidator
    /// keeps nothing between transactions.
    function invariant_BalancesCoverBooks() public view {
        _assertBalancesCoverBooks(handler.bookAccounts(), address(0));
    }

    /// @notice (2) The LP balances add up to the LP total supply (only the two LPs and the attacker hold shares).
    function invariant_LpBalancesSumToSupply() public view {
        uint256 sum = pool.balanceOf(lps[0]) + pool.balanceOf(lps[1]) + pool.balanceOf(attacker);
        assertEq(sum, pool.totalSupply(), "LP balances != total supply");
    }

    /// @notice (3) The accounts' scaled debts add up to the Pool's total scaled debt (the receivable), exactly.
    function invariant_DebtsSumToReceivable() public view {
        uint256 scaled;
        address[] memory accounts = handler.bookAccounts();
        for (uint256 k = 0; k < accounts.length; ++k) {
            (, uint256 s,) = engine.cash(accounts[k]);
            scaled += s;
        }
        assertEq(scaled, pool.totalScaledDebt(), "accounts' scaled debt != pool total scaled debt");
    }

    /// @notice The engine's per-asset collateral total is the sum of the accounts' balances.
    function invariant_CollateralTotalsSumBalances() public view {
        MockERC20[2] memory collateral = [wbtc, weth];
        address[] memory accounts = handler.bookAccounts();
        for (uint256 i = 0; i < 2; ++i) {
            uint256 sum;
            for (uint256 k = 0; k < accounts.length; ++k) {
                sum += engine.collateralBalance(accounts[k], address(collateral[i]));
            }
            assertEq(engine.totalCollateral(address(collateral[i])), sum, "collateral total != sum of balances");
        }
    }

    /// @notice (6) No account a liquidation touched is left with positions and negative maintenance equity (the
    /// handler keeps the first offender and its equity in `negativeEquityAccount` / `negativeEquity`).
    function invariant_NoNegativeEquityAfterLiquidation() public view {
        assertTrue(!handler.negativeEquityLeft(), "a liquidated account kept positions with negative equity");
    }

    /// @notice (5) A liquidation touches no other account but its keeper's: `liquidateMany` leaves the books of every
    /// account that was not liquidatable exactly as they were, and the keeper's account only gains.
    function invariant_LiquidationTouchesOnlyLiquidatable() public view {
        assertTrue(!handler.healthyAccountTouched(), "a liquidation changed an account that was not liquidatable");
        assertTrue(!handler.keeperLost(), "a liquidation took from its keeper's account");
    }

    /// @notice The invariants of docs/design.md#invariants that the handler checks around every step (one campaign
    /// checks them all: each invariant function is a campaign of its own, and the handler runs every check after every
    /// step whichever function is under test):
    /// - (2) assets per share never fall except by a socialized deficit: around every action that moves no price and
    /// no clock, the lower share price (what a share redeems for) falls by at most the deficit socialized in it per
    /// share plus `CoreHandler.SHARE_PRICE_TOLERANCE` wei (justified there, with why the upper price is not held);
    /// - (4) only a price move or accrual makes a healthy account unhealthy: no other action (anybody's trade,
    /// deposit, withdrawal, gift, round trip, sweep, LP action) leaves a healthy account liquidatable;
    /// - (4) a gift (a stranger's deposit to an account, a token donation to the engine or the Pool) lowers no
    /// account's maintenance equity less margin;
    /// - (7) one-block round trips (LP deposit/withdraw both ways, collateral in/out, open/close) never return more
    /// than was put in;
    /// - (8) adding collateral and repaying always succeed, and an account with no debt and no positions can always
    /// withdraw everything, under any oracle status, freeze or health;
    /// - (9) nobody but a liquidator reduces another account's collateral or credit, adds to its debt or changes its
    /// positions;
    /// - (10) an action on one asset or market does not change the books of another (reserves, collateral balances
    /// and totals, positions, other assets' oracle data);
    /// - (5, docs/design.md#oracle-policy) no liquidation while a price it needs (an open market's asset, a
    /// collateral asset held) is Stale by its sources (a freeze stops new risk only: docs/design.md#liveness).
    function invariant_GhostChecksHold() public view {
        string[8] memory names = [
            "(2) share price fell without a socialized deficit",
            "(4) a healthy account made unhealthy without a price move or accrual",
            "(4) a gift lowered health",
            "(7) a round trip returned more than was put in",
            "(8) adding collateral, repaying or a flat account's withdrawal refused",
            "(9) a bystander's collateral or debt made worse",
            "(10) an action changed another asset's or market's books",
            "(5) a liquidation at a Stale price"
        ];
        // (2) has a function of its own.
        for (uint256 i = 1; i < 8; ++i) {
            assertTrue(!handler.broken(i), string.concat(names[i], ": ", handler.brokenAt(i)));
        }
    }

    /// @notice (2) Assets per share never fall except by a socialized deficit (the lower share price, tolerance
    /// `CoreHandler.SHARE_PRICE_TOLERANCE` wei); absorbed collateral is valued as the Pool books it, also under a
    /// Deviated price (tests/forge/liquidator/Liquidate.t.sol pins that case).
    function invariant_SharePriceFallsOnlyBySocializedDeficit() public view {
        assertTrue(
            !handler.broken(handler.SHARE_PRICE()),
            string.concat(
                "(2) share price fell without a socialized deficit: ", handler.brokenAt(handler.SHARE_PRICE())
            )
        );
    }

    /// @notice The liveness rules of docs/design.md#liveness, probed on the state every step leaves, with an attacker
    /// that borrows, redeems and opens to drain what others are owed:
    /// - L1 a healthy account can always close any position at the oracle's reduce price (its profit paid in full:
    /// from the settlement reserve, the rest in kind; a profit the Pool cannot pay would revert `ProfitUnpaid`);
    /// - L2 an account liquidatable at usable prices is liquidated by a keeper holding no tokens, with no Pool loan;
    /// - L3 an LP can withdraw what the Pool says is available (not reserved for payouts), all prices being Ok;
    /// - L4 a liquidation takes no more from an account than its debt plus the penalty (valued without haircuts);
    /// - L5 no freeze outlives its expiry (the wind-down bound has its own test: tests/forge/oracle/WindDown.t.sol);
    /// - L6 `liquidateMany` liquidates every account of the batch whose liquidation succeeds alone.
    function invariant_LivenessHolds() public view {
        string[6] memory names = [
            "(L1) a healthy account could not close",
            "(L2) a liquidatable account could not be liquidated, or borrowed for it",
            "(L3) an LP could not withdraw available liquidity",
            "(L4) a liquidation took more than the debt and the penalty",
            "(L5) a freeze outlived its expiry",
            "(L6) a batch skipped an account that liquidates alone"
        ];
        for (uint256 i = 0; i < 6; ++i) {
            uint256 check = handler.L1_CLOSE() + i;
            assertTrue(!handler.broken(check), string.concat(names[i], ": ", handler.brokenAt(check)));
        }
    }

    /// @notice The ghost statistics of the run (printed with -vv): calls per action, successes and reverts,
    /// liquidations and where their deficits went.
    /// @notice (Ramps) A rise of a maintenance parameter comes into force no faster than its ramp: the value in force
    /// is on the line from the value in force when governance set it to the target over the ramp duration (the step
    /// itself leaves every healthy account healthy: the handler's HEALTH check).
    function invariant_RampsFollowTheirLine() public view {
        uint256 duration = engine.rampDuration();
        for (uint256 subject = 0; subject < 4; ++subject) {
            (uint256 inForce, uint256 line) = handler.rampInForce(subject, duration);
            assertEq(inForce, line, "a maintenance parameter off its ramp");
        }
    }

    function invariant_callSummary() public {
        string[15] memory names = [
            "lp deposit",
            "lp withdraw",
            "collateral deposit",
            "collateral withdraw",
            "modifyPosition",
            "price move",
            "time passes",
            "liquidateMany",
            "insurance sweep",
            "gift",
            "round trip",
            "add / repay / flat exit",
            "oracle fault",
            "maintenance ramp",
            "attack"
        ];
        for (uint256 i = 0; i < 15; ++i) {
            emit log_named_string(
                names[i],
                string.concat(
                    vm.toString(handler.picked(i)),
                    " picked, ",
                    vm.toString(handler.succeeded(i)),
                    " ok, ",
                    vm.toString(handler.reverts(i)),
                    " reverted"
                )
            );
        }
        emit log_named_uint("ramp rises", handler.rampRises());
        emit log_named_uint("ramp falls", handler.rampFalls());
        emit log_named_uint("large price moves (>= 20 %)", handler.largeMoves());
        emit log_named_uint("adverse price moves", handler.adverseMoves());
        emit log_named_uint("accounts seen liquidatable", handler.liquidatableSeen());
        emit log_named_uint("liquidations", handler.liquidations());
        emit log_named_uint("absorptions", handler.absorptions());
        emit log_named_uint("deficits covered by the insurance fund", handler.insuranceCovers());
        emit log_named_uint("  USDC units covered", handler.insuranceCovered());
        emit log_named_uint("deficits socialized", handler.socializations());
        emit log_named_uint("  USDC units socialized", handler.socialized());
        string[14] memory checks = [
            "share price",
            "health",
            "gift health",
            "round trip",
            "exits",
            "bystanders",
            "cross books",
            "price status",
            "L1 close",
            "L2 liquidation",
            "L3 LP exit",
            "L4 take no more",
            "L5 freeze expiry",
            "L6 batch"
        ];
        for (uint256 i = 0; i < 14; ++i) {
            emit log_named_uint(string.concat("checked: ", checks[i]), handler.checked(i));
        }
        emit log_named_string(
            "oracle faults (deviate, stale source, reverting, freeze, ageing)", _counts(handler.faults, 5)
        );
        emit log_named_uint("liquidations skipped for a Stale price", handler.skippedForPrice());
        emit log_named_uint("absorbs at a collateral price spread (share price checked)", handler.absorbsAtSpread());
        emit log_named_uint(
            "liquidations while a market price was spread (share price not held: a close price of the oracle policy)",
            handler.liquidationsAtMarketSpread()
        );
        emit log_named_uint("L1 closes probed", handler.closesProbed());
        emit log_named_uint("  of which paid partly in kind", handler.closesPaidInKind());
        emit log_named_uint("L2 liquidations probed (keeper with no tokens)", handler.liquidationsProbed());
        emit log_named_uint("L3 LP withdrawals of available liquidity probed", handler.lpExitsProbed());
        emit log_named_uint("L4 liquidations valued", handler.takesChecked());
        emit log_named_uint("  skipped for a settlement price spread", handler.takesAtSettlementSpread());
        emit log_named_uint("L6 batch members probed alone", handler.batchMembersProbed());
        emit log_named_string("attacks (borrow, redeem, open, restore)", _counts(handler.attacks, 4));
        emit log_named_uint("  USDC units the attacker borrowed", handler.attackerBorrowed());
        emit log_named_uint("  asks the Pool refused", handler.attackerRefused());
    }

    /// @dev The first `n` entries of one of the handler's counter arrays, comma-separated.
    function _counts(function(uint256) external view returns (uint256) counter, uint256 n)
        internal
        view
        returns (string memory list)
    {
        list = vm.toString(counter(0));
        for (uint256 i = 1; i < n; ++i) {
            list = string.concat(list, ", ", vm.toString(counter(i)));
        }
    }
}
