// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {AccountMath} from "../../../contracts/libraries/AccountMath.sol";
import {Vm, WithVm} from "../utils/Vm.sol";
import {LivenessProbe, Probing} from "./LivenessProbe.sol";

/// @title CoreHandler
/// @notice What the core invariant fuzzer drives: the whole core (Pool, MarginEngine, Liquidator, InsuranceFund,
/// oracle with one MockFeed per asset) with 2 LPs, 3 traders, a keeper and an attacker who borrows, withdraws and
/// deposits on purpose to drain the settlement cash others are owed. One entry point, `step`, picks a weighted
/// action with bounded inputs; every protocol call is made as an actor inside try/catch, so a revert is a ghost
/// statistic (`reverts`), never a failure of the campaign. The handler keeps its own clock (warped to before every
/// action) and moves one block per step.
/// @dev Assets, in the oracle's and the handler's order: 0 USDC (settlement, 6 decimals), 1 WBTC (8), 2 WETH (18).
/// Markets: 0 on WETH, 1 on WBTC.
contract CoreHandler is WithVm, Probing {
    using FixedPointMath for uint256;

    // ---------------------------------------------------------------- actions (ghost statistics are indexed by them)

    uint256 public constant LP_DEPOSIT = 0;
    uint256 public constant LP_WITHDRAW = 1;
    uint256 public constant COLLATERAL_DEPOSIT = 2;
    uint256 public constant COLLATERAL_WITHDRAW = 3;
    uint256 public constant MODIFY_POSITION = 4;
    uint256 public constant PRICE_MOVE = 5;
    uint256 public constant TIME_PASSES = 6;
    uint256 public constant LIQUIDATE = 7;
    uint256 public constant SWEEP = 8;
    uint256 public constant GIFT = 9;
    uint256 public constant ROUND_TRIP = 10;
    uint256 public constant ALWAYS_ALLOWED = 11;
    uint256 public constant ORACLE_FAULT = 12;
    uint256 public constant RAMP = 13;
    uint256 public constant ATTACK = 14;
    uint256 public constant ACTIONS = 15;

    // ---------------------------------------------------------------- checks (docs/design.md#invariants) the ghosts
    // keep

    uint256 public constant SHARE_PRICE = 0; // 2: assets per share fall only by a socialized deficit
    uint256 public constant HEALTH = 1; // 4: only a price move or accrual makes a healthy account unhealthy
    uint256 public constant GIFT_HEALTH = 2; // 4: a gift never lowers health
    uint256 public constant ROUND_TRIP_PROFIT = 3; // 7: one-block round trips return no more than was put in
    uint256 public constant EXIT_REFUSED = 4; // 8: add collateral, repay, and the flat account's withdrawal work
    uint256 public constant BYSTANDER = 5; // 9: nobody but a liquidator lowers another account's books
    uint256 public constant CROSS_BOOKS = 6; // 10: an action on one asset or market leaves the others alone
    uint256 public constant UNAVAILABLE_PRICE = 7; // 5/6 and section 5: no liquidation at a price its sources give as Stale
    // docs/design.md#liveness, the liveness rules L1-L6, probed after every step:
    uint256 public constant L1_CLOSE = 8; // a healthy account can always close any position at the reduce price
    uint256 public constant L2_LIQUIDATE = 9; // a liquidatable account is liquidated by a keeper with no tokens, no loan
    uint256 public constant L3_LP_EXIT = 10; // an LP can always withdraw what is not reserved for payouts
    uint256 public constant L4_TAKE_NO_MORE = 11; // a liquidation takes no more than the debt plus the penalty
    uint256 public constant L5_FREEZE_EXPIRY = 12; // no freeze outlives its expiry
    uint256 public constant L6_BATCH = 13; // liquidateMany liquidates every account that would succeed alone
    uint256 public constant CHECKS = 14;
    /// @notice How much more than its penalty a liquidation may take from an account through rounding alone, USD WAD:
    /// a unit of each collateral asset moved (a WBTC satoshi is 0.0006 USD at 60,000) and a unit of USDC per
    /// conversion.
    uint256 public constant TAKE_TOLERANCE = 0.01e18;

    /// @notice How far (in wei of the WAD share price) one action may lower the share price by rounding alone. Each
    /// of the two readings (before, after) floors the price once: < 1 wei each. The NAV under it is a sum of at most
    /// seven floor-rounded terms (three reserves, the receivable, two markets' PnL, the virtual value), so one action
    /// can move the computed NAV by < 10 wei of USD for reasons of rounding; over a supply of at least 1e24 shares
    /// (the seeded pool) that is < 1e-5 wei per share. Every other rounding in the Pool is in its favour.
    uint256 public constant SHARE_PRICE_TOLERANCE = 2;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant FEED_DECIMALS = 8;
    uint256 internal constant BLOCK_TIME = 12;
    uint256 internal constant TWAP_WINDOW = 600;
    /// @dev Every price stays in [1/100, 100x] of its start (the bounded walk of `_movePrice`).
    uint256 internal constant PRICE_RANGE = 100;
    /// @dev The oracle's maxPriceAge and the feeds' heartbeat (EngineFixture).
    uint256 internal constant MAX_PRICE_AGE = 3_600;
    uint256 internal constant HEARTBEAT = 86_400;
    uint256 internal constant NONE = type(uint256).max;

    // ---------------------------------------------------------------- the system

    IPool public immutable pool;
    IMarginEngine public immutable engine;
    Liquidator public immutable liquidator;
    InsuranceFund public immutable insurance;
    OracleAggregator public immutable oracle;
    MockERC20[3] internal tokens;
    MockFeed[3] internal feeds;
    uint256[3] internal startPrices;

    address[2] internal lps;
    address[3] internal traders;
    address public immutable keeper;
    address public immutable guardian;
    /// @notice An LP and trader who borrows, withdraws and deposits to drain what others are owed (`_attack`).
    address public immutable attacker;
    /// @notice A keeper that holds nothing, for the liquidation probes (L2).
    address public immutable probeKeeper;
    LivenessProbe public immutable probe;
    /// @notice Someone with no account: gives gifts (deposits to a trader's account, donations to the contracts).
    address public immutable stranger;

    // ---------------------------------------------------------------- clock and ghosts

    /// @notice The handler's clock and block (warped and rolled to before every action).
    uint256 public time;
    uint256 public blockNumber;

    /// @notice Per action: how often it was picked, how often its protocol call succeeded, how often it reverted.
    uint256[ACTIONS] public picked;
    uint256[ACTIONS] public succeeded;
    uint256[ACTIONS] public reverts;

    /// @notice Liquidations done by `liquidateMany`, accounts absorbed into the Pool, deficits covered (in part or
    /// in full) by the InsuranceFund and deficits socialized to LPs, with the settlement units they came to.
    uint256 public liquidations;
    uint256 public absorptions;
    uint256 public insuranceCovers;
    uint256 public insuranceCovered;
    uint256 public socializations;
    uint256 public socialized;
    /// @notice Price moves of at least 20 % (up or down), adverse moves (`_movePrice`), and accounts seen liquidatable
    /// before a liquidation action.
    uint256 public largeMoves;
    uint256 public adverseMoves;
    uint256 public liquidatableSeen;
    /// @notice Set when, right after a liquidation action, an account it liquidated still has positions with
    /// negative maintenance equity (docs/design.md#invariants, invariant 6). Never reset.
    bool public negativeEquityLeft;
    /// @notice Set when a liquidation action changed the books of an account that was not liquidatable before it
    /// (docs/design.md#invariants, invariant 5). Never reset.
    bool public healthyAccountTouched;
    address public healthyAccountTouchedAt;
    /// @notice Set when a liquidation lowered anything of its keeper's account (its credit, a collateral balance) or
    /// raised its debt: the keeper's account only gains, its reward credited (docs/design.md#invariants, invariant 5).
    /// Never reset.
    bool public keeperLost;
    /// @dev The keeper's `_gains` before the batch under way.
    uint256[4] internal _keeperBefore;
    address public negativeEquityAccount;
    int256 public negativeEquity;

    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant ABSORBED = keccak256("Absorbed(address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant DEFICIT_SOCIALIZED = keccak256("DeficitSocialized(uint256,uint256,uint256)");

    struct Actors {
        address[2] lps;
        address[3] traders;
        address keeper;
        address guardian;
        address stranger;
        address attacker;
    }

    /// @notice What the engine books for one trader, and its health at the stored prices.
    struct Books {
        uint256 credit;
        uint256 scaledDebt;
        uint256[2] collateral; // WBTC, WETH
        bytes32[2] positions; // market 0 (WETH), market 1 (WBTC)
        int256 excess; // maintenance equity less maintenance margin
        bool liquidatable;
    }

    // ---------------------------------------------------------------- per-step context (set by `step` and actions)

    /// @notice The trader whose own account the action works on (NONE: nobody's), the pool asset or collateral
    /// asset (token index) it is about, the market, whether the clock moved after the snapshot, and the USD value of
    /// the deficits socialized in it.
    uint256 internal _actor;
    uint256 internal _asset;
    uint256 internal _market;
    bool internal _timeMoved;
    uint256 internal _socializedUsd;
    Books[3] internal _pre;
    uint256[2] internal _preSharePrice; // lower, upper
    bool internal _preSharePriceOk;
    uint256[3] internal _preReserves;
    uint256[2] internal _preTotalCollateral;
    bytes32[3] internal _preOracle;

    /// @notice Per check: how often it was evaluated, whether it ever failed, and the first failure's story.
    uint256[CHECKS] public checked;
    bool[CHECKS] public broken;
    string[CHECKS] internal _brokenAt;
    /// @notice Oracle faults applied, feeds reverting and assets frozen now; liquidations skipped for a Stale or
    /// Frozen price; round trips by mode; exits attempted.
    uint256[5] public faults;
    bool[3] public feedReverting;
    bool[3] public frozen;
    uint256 public skippedForPrice;
    uint256 public absorbsAtSpread;
    bool internal _absorbAtSpread;
    uint256 public liquidationsAtMarketSpread;
    bool internal _closeAtSpread;
    uint256[4] public roundTrips;
    uint256[3] public exitsTried;
    /// @notice Liveness probes: closes of healthy accounts (and those paid partly in kind), liquidations by a keeper
    /// with no tokens, LP withdrawals of available liquidity, liquidations held to L4 (and skipped for a settlement
    /// price spread), accounts probed alone before a batch; attacks by mode and the USDC the attacker borrowed.
    uint256 public closesProbed;
    uint256 public closesPaidInKind;
    uint256 public liquidationsProbed;
    uint256 public lpExitsProbed;
    uint256 public takesChecked;
    uint256 public takesAtSettlementSpread;
    uint256 public batchMembersProbed;
    uint256[4] public attacks;
    uint256 public attackerBorrowed;
    uint256 public attackerRefused;
    /// @dev When each asset's freeze (set by this handler) ends; 0: none.
    uint256[3] internal _frozenUntil;

    constructor(
        IPool pool_,
        IMarginEngine engine_,
        Liquidator liquidator_,
        InsuranceFund insurance_,
        OracleAggregator oracle_,
        MockERC20[3] memory tokens_,
        MockFeed[3] memory feeds_,
        Actors memory actors,
        uint256 start
    ) {
        (pool, engine, liquidator, insurance, oracle) = (pool_, engine_, liquidator_, insurance_, oracle_);
        (tokens, feeds, lps, traders, keeper) = (tokens_, feeds_, actors.lps, actors.traders, actors.keeper);
        (guardian, stranger, attacker) = (actors.guardian, actors.stranger, actors.attacker);
        probeKeeper = address(uint160(uint256(keccak256("probe keeper"))));
        probe = new LivenessProbe(pool_, engine_, liquidator_);
        for (uint256 i = 0; i < 3; ++i) {
            startPrices[i] = uint256(feeds_[i].answer());
        }
        (time, blockNumber) = (start, vm.getBlockNumber());
    }

    // ---------------------------------------------------------------- views for the invariants

    function lp(uint256 i) external view returns (address) {
        return lps[i];
    }

    function trader(uint256 i) external view returns (address) {
        return traders[i];
    }

    function token(uint256 i) external view returns (MockERC20) {
        return tokens[i];
    }

    function allTraders() public view returns (address[] memory list) {
        list = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            list[i] = traders[i];
        }
    }

    /// @notice Every account that trades: the three traders, then the attacker (the liquidation list).
    function allAccounts() public view returns (address[] memory list) {
        list = new address[](4);
        for (uint256 i = 0; i < 3; ++i) {
            list[i] = traders[i];
        }
        list[3] = attacker;
    }

    /// @notice Every engine account with books: the traders and the attacker, then the keeper (its rewards are credited
    /// to its engine account).
    function bookAccounts() external view returns (address[] memory list) {
        address[] memory traded = allAccounts();
        list = new address[](traded.length + 1);
        for (uint256 i = 0; i < traded.length; ++i) {
            list[i] = traded[i];
        }
        list[traded.length] = keeper;
    }

    // ---------------------------------------------------------------- the fuzzed entry point

    /// @notice One weighted action: 6 % LP deposit, 5 % LP withdrawal, 7 % collateral deposit, 5 % collateral
    /// withdrawal, 22 % modifyPosition, 12 % price move, 4 % time passing, 13 % liquidateMany, 2 % sweep, 4 % gift,
    /// 4 % one-block round trip, 5 % add collateral / repay / flat exit, 5 % oracle fault, 3 % governance moving a
    /// maintenance parameter (a rise ramps), 3 % attack. The books, health, share price, reserves and oracle data are
    /// snapshotted before the action and checked after it (`_checkAfter`), and the liveness rules are probed on the
    /// state it leaves (`_checkLiveness`).
    function step(uint256 action, uint256 a, uint256 b, uint256 c) external {
        time += BLOCK_TIME;
        ++blockNumber;
        vm.warp(time);
        vm.roll(blockNumber);
        uint256 kind = _kind(action % 100);
        ++picked[kind];
        (_actor, _asset, _market, _socializedUsd, _absorbAtSpread) = (NONE, NONE, NONE, 0, false);
        _closeAtSpread = false;
        _snapshot();
        bool ok;
        if (kind == LP_DEPOSIT) ok = _lpDeposit(a, b, c);
        else if (kind == LP_WITHDRAW) ok = _lpWithdraw(a, b, c);
        else if (kind == COLLATERAL_DEPOSIT) ok = _collateralDeposit(a, b, c);
        else if (kind == COLLATERAL_WITHDRAW) ok = _collateralWithdraw(a, b, c);
        else if (kind == MODIFY_POSITION) ok = _modifyPosition(a, b, c);
        else if (kind == PRICE_MOVE) ok = _movePrice(a, b, c);
        else if (kind == TIME_PASSES) ok = _timePasses(a);
        else if (kind == LIQUIDATE) ok = _liquidateAll();
        else if (kind == SWEEP) ok = _sweep();
        else if (kind == GIFT) ok = _gift(a, b, c);
        else if (kind == ROUND_TRIP) ok = _roundTrip(a, b, c);
        else if (kind == ALWAYS_ALLOWED) ok = _alwaysAllowed(a, b, c);
        else if (kind == ORACLE_FAULT) ok = _oracleFault(a, b, c);
        else if (kind == RAMP) ok = _rampStep(a, b);
        else ok = _attack(a, b, c);
        if (ok) ++succeeded[kind];
        else ++reverts[kind];
        _checkAfter(kind);
        _checkLiveness(a ^ b ^ c);
    }

    /// @dev The action of `w` in [0, 100): each action up to RAMP, in the order of their indexes, takes `w` below its
    /// cumulative weight in `upTo` (LP_DEPOSIT 6 %, LP_WITHDRAW 5 %, COLLATERAL_DEPOSIT 7 %, COLLATERAL_WITHDRAW 5 %,
    /// MODIFY_POSITION 22 %, PRICE_MOVE 12 %, TIME_PASSES 4 %, LIQUIDATE 13 %, SWEEP 2 %, GIFT 4 %, ROUND_TRIP 4 %,
    /// ALWAYS_ALLOWED 5 %, ORACLE_FAULT 5 %, RAMP 3 %); ATTACK takes the rest (3 %).
    function _kind(uint256 w) internal pure returns (uint256 kind) {
        uint8[14] memory upTo = [uint8(6), 11, 18, 23, 45, 57, 61, 74, 76, 80, 84, 89, 94, 97];
        while (kind < ATTACK && w >= upTo[kind]) {
            ++kind;
        }
    }

    // ---------------------------------------------------------------- maintenance ramps

    /// @notice What each governance rise set, as the handler saw it: the value in force before the call, the target
    /// and the time (subjects 0, 1: markets 0, 1; 2, 3: collateral WBTC, WETH). A zero time: no ramp running.
    struct RampGhost {
        uint256 fromBps;
        uint256 targetBps;
        uint256 at;
    }

    RampGhost[4] public rampGhosts;
    uint256 public rampRises;
    uint256 public rampFalls;

    /// @dev Governance (the handler holds the admin role) moves a maintenance parameter of market `a % 2` or of
    /// collateral WBTC / WETH: up (two times in three) or down by 1 to 1,500 bps, within 2 % .. 20 % for a market and
    /// 0 .. 30 % for a haircut, the initial parameter kept above it. `_checkAfter` holds, at the same prices and
    /// clock, that it leaves no healthy account liquidatable (HEALTH); `rampInForce` that the value in force then
    /// follows the line from the value in force at the call to the target over the ramp duration.
    function _rampStep(uint256 a, uint256 b) internal returns (bool) {
        uint256 subject = a % 4;
        bool rise = (a >> 8) % 3 != 0;
        uint256 delta = _bound(b, 1, 1_500);
        uint256 oldTarget;
        uint256 inForce;
        uint256 target;
        if (subject < 2) {
            IMarginEngineTypes.MarketParams memory p = engine.marketParams(subject);
            (oldTarget, inForce) = (p.maintenanceMarginBps, engine.marketRamp(subject).currentBps);
            target = rise ? _min(oldTarget + delta, 2_000) : (oldTarget > 200 + delta ? oldTarget - delta : 200);
            if (target == oldTarget) return false;
            (p.maintenanceMarginBps, p.initialMarginBps) =
            (uint16(target), uint16(_max(p.initialMarginBps, target + 500)));
            engine.setMarketParams(subject, p);
        } else {
            address asset = address(subject == 2 ? tokens[1] : tokens[2]);
            IMarginEngineTypes.CollateralParams memory p = engine.collateralParams(asset);
            (oldTarget, inForce) = (p.maintHaircutBps, engine.collateralRamp(asset).currentBps);
            target = rise ? _min(oldTarget + delta, 3_000) : (oldTarget > delta ? oldTarget - delta : 0);
            if (target == oldTarget) return false;
            (p.maintHaircutBps, p.initialHaircutBps) = (uint16(target), uint16(_max(p.initialHaircutBps, target + 500)));
            engine.setCollateralParams(asset, p);
        }
        if (target > inForce) {
            ++rampRises;
            rampGhosts[subject] = RampGhost(inForce, target, time);
        } else {
            ++rampFalls;
            delete rampGhosts[subject];
        }
        return true;
    }

    /// @notice The value in force of ramp subject `subject` now, and the value the handler's own record of the last
    /// rise says it must be: the line from the value in force at the call to the target over `duration`.
    function rampInForce(uint256 subject, uint256 duration) external view returns (uint256 inForce, uint256 line) {
        inForce = subject < 2
            ? engine.marketRamp(subject).currentBps
            : engine.collateralRamp(address(subject == 2 ? tokens[1] : tokens[2])).currentBps;
        RampGhost memory g = rampGhosts[subject];
        if (g.at == 0) return (inForce, inForce);
        uint256 elapsed = _min(block.timestamp - g.at, duration);
        line = g.fromBps + (g.targetBps - g.fromBps) * elapsed / duration;
    }

    function _min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }

    function _max(uint256 x, uint256 y) internal pure returns (uint256) {
        return x > y ? x : y;
    }

    // ---------------------------------------------------------------- LPs

    /// @dev 1,000 to 200,000 USD of one pool asset.
    function _lpDeposit(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = lps[a % 2];
        MockERC20 t = tokens[b % 3];
        _asset = b % 3;
        uint256 amount = _amountForUsd(b % 3, _bound(c, 1_000, 200_000) * WAD);
        t.mint(who, amount);
        return
            _approveAndCall(who, t, amount, address(pool), abi.encodeCall(pool.deposit, (address(t), amount, 0, who)));
    }

    /// @dev 1 % to 50 % of the LP's shares in one pool asset; an LP whose shares are still locked waits out the
    /// cooldown first (the prices are refreshed after the wait, so the withdrawal is priced Ok).
    function _lpWithdraw(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = lps[a % 2];
        uint256 balance = pool.balanceOf(who);
        if (balance == 0) return false;
        (, uint256 unlocksAt) = pool.lockedShares(who);
        if (unlocksAt > time) {
            _advance(unlocksAt - time + 1);
            _settle();
            _snapshot(); // the checks are about the withdrawal, not the wait
        }
        _asset = b % 3;
        uint256 shares = balance * _bound(c, 100, 5_000) / 10_000;
        if (shares == 0) return false;
        vm.prank(who);
        try pool.withdraw(shares, address(tokens[b % 3]), 0, who) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- traders: cash and collateral

    /// @dev 500 to 20,000 USD of USDC (cash: repays debt first), WBTC or WETH (collateral).
    function _collateralDeposit(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        (_actor, _asset) = (a % 3, b % 3);
        return _deposit(traders[a % 3], b % 3, _bound(c, 500, 20_000) * WAD);
    }

    function _deposit(address who, uint256 i, uint256 usd) internal returns (bool) {
        MockERC20 t = tokens[i];
        uint256 amount = _amountForUsd(i, usd);
        t.mint(who, amount);
        return
            _approveAndCall(who, t, amount, address(engine), abi.encodeCall(engine.deposit, (address(t), amount, who)));
    }

    /// @dev `who` approves `spender` for `amount` of `t`, then calls `spender` with `data`: whether that call went
    /// through (a revert is counted by the caller, not raised).
    function _approveAndCall(address who, MockERC20 t, uint256 amount, address spender, bytes memory data)
        internal
        returns (bool ok)
    {
        vm.startPrank(who);
        t.approve(spender, amount);
        (ok,) = spender.call(data);
        vm.stopPrank();
    }

    /// @dev 1 % to 100 % of a collateral balance; for USDC, of the credit, or (one time in four) up to 2,000 USD
    /// beyond it (a borrow).
    function _collateralWithdraw(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = traders[a % 3];
        uint256 i = b % 3;
        (_actor, _asset) = (a % 3, i);
        uint256 amount;
        if (i == 0) {
            (uint256 credit,,) = engine.cash(who);
            amount = credit * _bound(c, 100, 10_000) / 10_000;
            if ((c >> 128) % 4 == 0) amount += _bound(c >> 64, 1, 2_000) * 1e6;
        } else {
            amount = engine.collateralBalance(who, address(tokens[i])) * _bound(c, 100, 10_000) / 10_000;
        }
        if (amount == 0) return false;
        vm.prank(who);
        try engine.withdraw(address(tokens[i]), amount, who) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- traders: positions

    /// @dev One time in four, reduce or close an open position (a fraction of 10 % to 100 %); otherwise open or add
    /// to a long or a short of 1x to 4x the account's net value (collateral and credit less debt, at the feeds'
    /// prices; an account worth under 1,000 USD first deposits 5,000 to 50,000 USD of USDC, WBTC or WETH). Same-asset
    /// collateral up to about 3x (USDC up to about 5x) passes the stress check; beyond it the margin check refuses,
    /// and those reverts are counted.
    function _modifyPosition(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = traders[a % 3];
        uint256 market = b % 2;
        (_actor, _market) = (a % 3, market);
        uint256 assetIndex = market == 0 ? 2 : 1;
        int256 size = engine.position(who, market).size;
        int256 delta;
        // The modes (reduce or open, side, leverage, which asset a deposit is in) come from a hash of the inputs,
        // so the fuzzer's favourite small values do not all land in one of them; `c` sizes a reduction.
        uint256 r = uint256(keccak256(abi.encode(a, b, c)));
        if (size != 0 && r % 4 == 0) {
            uint256 fraction = _bound(c, 1_000, 10_000);
            delta = fraction == 10_000 ? -size : -size * int256(fraction) / 10_000;
        } else {
            int256 value = _netValue(who);
            if (value < 1_000e18) {
                // An account without margin first deposits some (so opening is the common case, not a revert).
                if (!_deposit(who, (r >> 8) % 3, _bound(r >> 16, 5_000, 50_000) * WAD)) return false;
                _snapshot(); // the checks are about the trade, not the deposit before it
                value = _netValue(who);
                if (value <= 0) return false;
            }
            uint256 notional = uint256(value) * _bound(r >> 64, 10_000, 40_000) / 10_000;
            uint256 units = notional * WAD / _price(assetIndex);
            delta = (r >> 128) % 2 == 0 ? int256(units) : -int256(units);
        }
        if (delta == 0) return false;
        vm.prank(who);
        try engine.modifyPosition(market, delta, delta > 0 ? type(uint256).max : 0) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- prices and time

    /// @dev Half the time (drawn from a hash of the inputs, so the fuzzer's favourite values do not all land in one
    /// mode) an adverse move: a trader's open position has its asset moved against it by 20 % to 45 % (at most +35 %
    /// for a short). Otherwise a random move: USDC by at most 1 % (one time in eight), or WBTC or WETH by at most 5 %,
    /// by -15 % to +12 % (accounts drift into liquidation before they are insolvent) or by -40 % to +30 %. Then the
    /// TWAP catches up: update, a warp past the TWAP window, update, again, and update. Prices stay within 1/100 and
    /// 100x of their start.
    function _movePrice(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 mode = uint256(keccak256(abi.encode(a, b, c))) % 8;
        (bool adverse, uint256 i, int256 moveBps) = mode < 4 ? _adverseMove(a, b) : (false, 0, int256(0));
        if (adverse) {
            ++adverseMoves;
        } else {
            i = a % 8 == 0 ? 0 : 1 + (a >> 8) % 2;
            if (i == 0) moveBps = int256(_bound(b, 0, 200)) - 100;
            else if (mode < 5) moveBps = int256(_bound(b, 0, 1_000)) - 500;
            else if (mode < 7) moveBps = int256(_bound(b, 0, 2_700)) - 1_500;
            else moveBps = int256(_bound(b, 0, 7_000)) - 4_000;
        }
        if (moveBps >= 2_000 || moveBps <= -2_000) ++largeMoves;
        uint256 next = uint256(int256(uint256(feeds[i].answer())) * (10_000 + moveBps) / 10_000);
        uint256 low = startPrices[i] / PRICE_RANGE;
        uint256 high = startPrices[i] * PRICE_RANGE;
        if (next < low) next = low;
        if (next > high) next = high;
        feeds[i].setAnswer(int256(next));
        _settle();
        return true;
    }

    /// @dev The first open position of trader `a % 3` (market order rotated by `a`), and a move of its asset against
    /// it: -20 % to -45 % for a long, +20 % to +35 % for a short. None when the trader has no position.
    function _adverseMove(uint256 a, uint256 b) internal view returns (bool found, uint256 i, int256 moveBps) {
        address who = traders[a % 3];
        for (uint256 k = 0; k < 2; ++k) {
            uint256 market = (k + (a >> 8)) % 2;
            int256 size = engine.position(who, market).size;
            if (size == 0) continue;
            i = market == 0 ? 2 : 1;
            moveBps = size > 0 ? -int256(_bound(b, 2_000, 4_500)) : int256(_bound(b, 2_000, 3_500));
            return (true, i, moveBps);
        }
    }

    /// @dev 1 minute to 1 day passes (interest accrues), then the prices are refreshed as after a move. A freeze of
    /// this handler's that has reached its end must have expired by itself (L5) before the refresh lifts it.
    function _timePasses(uint256 a) internal returns (bool) {
        _advance(_bound(a, 60, 86_400));
        for (uint256 i = 0; i < 3; ++i) {
            if (_frozenUntil[i] == 0 || time < _frozenUntil[i]) continue;
            ++checked[L5_FREEZE_EXPIRY];
            if (oracle.status(address(tokens[i])) == IOracleAggregator.Status.Frozen) {
                _violate(L5_FREEZE_EXPIRY, "a freeze outlived its expiry", i);
            }
        }
        _settle();
        return true;
    }

    // ---------------------------------------------------------------- keeper

    /// @dev `liquidateMany` over every trader; then every account it liquidated is checked: positions left with
    /// negative maintenance equity set a ghost flag (docs/design.md#invariants, invariant 6), and so does any change to
    /// the books of an account that was not liquidatable (invariant 5).
    function _liquidateAll() internal returns (bool) {
        address[] memory list = allAccounts();
        bool[] memory liquidatable = new bool[](list.length);
        bytes32[] memory books = new bytes32[](list.length);
        bool[] memory unavailable = new bool[](list.length);
        bool[] memory spread = new bool[](list.length);
        bool[] memory aloneOk = new bool[](list.length);
        int256[] memory valueBefore = new int256[](list.length);
        for (uint256 k = 0; k < list.length; ++k) {
            unavailable[k] = _priceUnavailable(list[k]);
            spread[k] = _collateralAtSpread(list[k]);
            try engine.liquidationHealth(list[k]) returns (IMarginEngineTypes.Health memory h) {
                liquidatable[k] = h.liquidatable;
                if (h.liquidatable) {
                    ++liquidatableSeen;
                    // L6: would this account's liquidation succeed alone?
                    ++batchMembersProbed;
                    (aloneOk[k],,) = _probe(probe, abi.encodeCall(LivenessProbe.liquidate, (keeper, list[k])));
                    valueBefore[k] = _unhaircutValue(list[k]);
                }
            } catch {
                // A price it needs is Stale: the keeper must skip the account even when it is underwater.
                if (engine.health(list[k]).liquidatable) ++skippedForPrice;
            }
            books[k] = _books(list[k]);
        }
        _closeAtSpread = _marketAtSpread();
        _keeperBefore = _gains(keeper);
        vm.recordLogs();
        vm.prank(keeper);
        try liquidator.liquidateMany(list) returns (uint256 n) {
            liquidations += n;
        } catch {
            vm.getRecordedLogs();
            _violate(L6_BATCH, "liquidateMany reverted", 0);
            return false;
        }
        _checkKeeperGained();
        // docs/design.md#invariants, invariant 5: a liquidation touches no other account.
        for (uint256 k = 0; k < list.length; ++k) {
            if (!liquidatable[k] && _books(list[k]) != books[k]) {
                healthyAccountTouched = true;
                healthyAccountTouchedAt = list[k];
            }
        }
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool[] memory done = new bool[](list.length);
        for (uint256 k = 0; k < logs.length; ++k) {
            bytes32 topic = logs[k].topics[0];
            if (topic == LIQUIDATED && logs[k].emitter == address(liquidator)) {
                address account = address(uint160(uint256(logs[k].topics[1])));
                uint256 idx = _indexOf(account);
                done[idx] = true;
                _checkAfterLiquidation(account);
                _checkLiquidationPrice(account, list, unavailable);
                (,, uint256 penalty,) = abi.decode(logs[k].data, (uint256, uint256, uint256, uint256));
                _checkTakeNoMore(account, valueBefore[idx], penalty);
            } else if (topic == ABSORBED && logs[k].emitter == address(liquidator)) {
                ++absorptions;
                if (spread[_indexOf(address(uint160(uint256(logs[k].topics[1]))))]) _absorbAtSpread = true;
                (,, uint256 deficit, uint256 covered) = abi.decode(logs[k].data, (uint256, uint256, uint256, uint256));
                if (deficit != 0 && covered != 0) {
                    ++insuranceCovers;
                    insuranceCovered += covered;
                }
            } else if (topic == DEFICIT_SOCIALIZED && logs[k].emitter == address(pool)) {
                ++socializations;
                (uint256 amount,, uint256 valueUsd) = abi.decode(logs[k].data, (uint256, uint256, uint256));
                socialized += amount;
                _socializedUsd += valueUsd;
            }
        }
        // L6: every account whose liquidation would succeed alone was liquidated by the batch.
        for (uint256 k = 0; k < list.length; ++k) {
            ++checked[L6_BATCH];
            if (aloneOk[k] && !done[k]) _violate(L6_BATCH, "the batch skipped an account that liquidates alone", k);
        }
        return true;
    }

    /// @dev L4: what the account lost in its liquidation, valued without haircuts at the liquidation prices (collateral
    /// at the lower one, as the Pool books it), is at most the penalty it was charged, converted at the higher
    /// settlement price, plus `TAKE_TOLERANCE`. Not held while the settlement price is spread: a close converts a
    /// profit at its higher price and a loss at its lower one, by design.
    function _checkTakeNoMore(address account, int256 before, uint256 penaltyUnits) internal {
        IOracleAggregator.PriceData memory s = oracle.getPriceData(address(tokens[0]));
        if (s.median != s.twap) {
            ++takesAtSettlementSpread;
            return;
        }
        ++checked[L4_TAKE_NO_MORE];
        ++takesChecked;
        int256 lost = before - _unhaircutValue(account);
        int256 allowed = int256(penaltyUnits.toValueUp(s.median, 6) + TAKE_TOLERANCE);
        if (lost > allowed) {
            _violate(L4_TAKE_NO_MORE, "a liquidation took more than the debt and the penalty", uint256(lost));
        }
    }

    /// @notice `account`'s net worth without haircuts, USD WAD: credit less debt, collateral at the lower liquidation
    /// price, positions at the price a liquidation closes them at, less their borrow fees.
    function _unhaircutValue(address account) internal view returns (int256 value) {
        IOracleAggregator.PriceData memory s = oracle.getPriceData(address(tokens[0]));
        (uint256 credit,, uint256 debt) = engine.cash(account);
        value = int256(credit.toValueDown(s.median > s.twap ? s.median : s.twap, 6))
            - int256(debt.toValueUp(s.median < s.twap ? s.median : s.twap, 6));
        for (uint256 i = 1; i < 3; ++i) {
            uint256 amount = engine.collateralBalance(account, address(tokens[i]));
            if (amount == 0) continue;
            IOracleAggregator.PriceData memory p = oracle.getPriceData(address(tokens[i]));
            value += int256(amount.toValueDown(p.median < p.twap ? p.median : p.twap, tokens[i].decimals()));
        }
        uint256 index = pool.borrowIndex();
        for (uint256 m = 0; m < 2; ++m) {
            IMarginEngineTypes.Position memory pos = engine.position(account, m);
            if (pos.size == 0) continue;
            IOracleAggregator.PriceData memory p = oracle.getPriceData(address(tokens[m == 0 ? 2 : 1]));
            uint256 price =
                pos.size > 0 ? (p.median > p.twap ? p.median : p.twap) : (p.median < p.twap ? p.median : p.twap);
            value += AccountMath.pnlDown(pos.size, pos.entryPrice, price)
            - int256(AccountMath.borrowFee(pos.size, pos.entryPrice, pos.entryIndex, index));
        }
    }

    /// @dev A digest of what the engine books for `account`: cash, collateral balances, masks and positions.
    /// @dev Sets `keeperLost` if anything of the keeper's books fell from `_keeperBefore`.
    function _checkKeeperGained() internal {
        uint256[4] memory keeperAfter = _gains(keeper);
        for (uint256 j = 0; j < 4; ++j) {
            if (keeperAfter[j] < _keeperBefore[j]) keeperLost = true;
        }
    }

    /// @dev What of `account`'s books only a gain raises: its credit, its two collateral balances, and its scaled debt
    /// negated (so a repayment raises it).
    function _gains(address account) internal view returns (uint256[4] memory g) {
        (uint256 credit, uint256 scaledDebt,) = engine.cash(account);
        g[0] = credit;
        g[1] = engine.collateralBalance(account, address(tokens[1]));
        g[2] = engine.collateralBalance(account, address(tokens[2]));
        g[3] = type(uint256).max - scaledDebt;
    }

    function _books(address account) internal view returns (bytes32) {
        (uint256 credit, uint256 scaledDebt,) = engine.cash(account);
        (uint16 collateralMask, uint16 marketMask) = engine.accountMasks(account);
        return keccak256(
            abi.encode(
                credit,
                scaledDebt,
                collateralMask,
                marketMask,
                engine.collateralBalance(account, address(tokens[1])),
                engine.collateralBalance(account, address(tokens[2])),
                engine.position(account, 0),
                engine.position(account, 1)
            )
        );
    }

    function _checkAfterLiquidation(address account) internal {
        (, uint16 markets) = engine.accountMasks(account);
        if (markets == 0) return;
        try engine.liquidationHealth(account) returns (IMarginEngineTypes.Health memory h) {
            if (h.maintenanceEquity < 0) {
                negativeEquityLeft = true;
                (negativeEquityAccount, negativeEquity) = (account, h.maintenanceEquity);
            }
        } catch {}
    }

    function _sweep() internal returns (bool) {
        vm.prank(keeper);
        try insurance.sweep() {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- gifts (docs/design.md#invariants, invariant 4)

    /// @dev The stranger gives trader `a % 3` 100 to 20,000 USD of USDC (credit or a repayment) or collateral through
    /// `deposit(asset, amount, account)`, or (one time in four) donates a token straight to the engine or the Pool.
    /// `_checkAfter` holds every trader's margin excess to at least what it was.
    function _gift(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 i = b % 3;
        uint256 amount = _amountForUsd(i, _bound(c, 100, 20_000) * WAD);
        MockERC20 t = tokens[i];
        t.mint(stranger, amount);
        if ((a >> 8) % 4 == 0) {
            vm.prank(stranger);
            return t.transfer((a >> 16) % 2 == 0 ? address(engine) : address(pool), amount);
        }
        vm.startPrank(stranger);
        t.approve(address(engine), amount);
        try engine.deposit(address(t), amount, traders[a % 3]) {
            vm.stopPrank();
            return true;
        } catch {
            vm.stopPrank();
            return false;
        }
    }

    // ---------------------------------------------------------------- one-block round trips (invariant 7)

    /// @dev Four modes, all in one block: an LP deposits and withdraws the shares it got; an LP withdraws shares and
    /// deposits what it got back; a trader deposits collateral and withdraws it; a trader opens a position and closes
    /// it. None may return more than went in (tokens, shares or account value).
    function _roundTrip(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 mode = uint256(keccak256(abi.encode(a, b, c, "trip"))) % 4;
        ++roundTrips[mode];
        ++checked[ROUND_TRIP_PROFIT];
        if (mode == 0) return _lpDepositWithdraw(a, b, c);
        if (mode == 1) return _lpWithdrawDeposit(a, b, c);
        if (mode == 2) return _collateralInOut(a, b, c);
        return _openClose(a, b, c);
    }

    function _lpDepositWithdraw(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = lps[a % 2];
        uint256 i = b % 3;
        MockERC20 t = tokens[i];
        uint256 amount = _amountForUsd(i, _bound(c, 100, 50_000) * WAD);
        t.mint(who, amount);
        uint256 wallet = t.balanceOf(who);
        vm.startPrank(who);
        t.approve(address(pool), amount);
        uint256 shares;
        try pool.deposit(address(t), amount, 0, who) returns (uint256 s) {
            shares = s;
        } catch {
            vm.stopPrank();
            return false;
        }
        // The new shares are locked; the LP's older, unlocked shares can still be burned in the same block.
        try pool.withdraw(shares, address(t), 0, who) {} catch {}
        vm.stopPrank();
        uint256 after_ = t.balanceOf(who);
        if (after_ > wallet) _violate(ROUND_TRIP_PROFIT, "LP deposit then withdraw returned more", after_ - wallet);
        return true;
    }

    function _lpWithdrawDeposit(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = lps[a % 2];
        uint256 i = b % 3;
        MockERC20 t = tokens[i];
        (uint256 locked,) = pool.lockedShares(who);
        uint256 free = pool.balanceOf(who) - locked;
        uint256 shares = free * _bound(c, 1, 1_000) / 10_000;
        if (shares == 0) return false;
        vm.startPrank(who);
        uint256 amount;
        try pool.withdraw(shares, address(t), 0, who) returns (uint256 got) {
            amount = got;
        } catch {
            vm.stopPrank();
            return false;
        }
        t.approve(address(pool), amount);
        try pool.deposit(address(t), amount, 0, who) returns (uint256 back) {
            if (back > shares) {
                _violate(ROUND_TRIP_PROFIT, "LP withdraw then deposit minted more shares", back - shares);
            }
        } catch {}
        vm.stopPrank();
        return true;
    }

    function _collateralInOut(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 k = a % 3;
        address who = traders[k];
        (_actor, _asset) = (k, b % 3);
        MockERC20 t = tokens[b % 3];
        uint256 amount = _amountForUsd(b % 3, _bound(c, 100, 20_000) * WAD);
        t.mint(who, amount);
        uint256 wallet = t.balanceOf(who);
        Books memory pre = _readBooks(k);
        vm.startPrank(who);
        t.approve(address(engine), amount);
        try engine.deposit(address(t), amount, who) {}
        catch {
            vm.stopPrank();
            return false;
        }
        try engine.withdraw(address(t), amount, who) {} catch {}
        vm.stopPrank();
        // Never more tokens back than went in, and the account holds no more than before for them.
        if (t.balanceOf(who) > wallet) {
            _violate(ROUND_TRIP_PROFIT, "collateral in and out paid out more", t.balanceOf(who) - wallet);
        }
        Books memory post = _readBooks(k);
        if (t.balanceOf(who) == wallet) {
            bool richer = b % 3 == 0
                ? post.credit > pre.credit || post.scaledDebt < pre.scaledDebt
                : post.collateral[b % 3 - 1] > pre.collateral[b % 3 - 1];
            if (richer) _violate(ROUND_TRIP_PROFIT, "collateral in and out left the account richer", k);
        }
        return true;
    }

    function _openClose(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 k = a % 3;
        address who = traders[k];
        uint256 market = b % 2;
        (_actor, _market) = (k, market);
        int256 value = _netValue(who);
        if (value < 1_000e18) return false;
        uint256 units = uint256(value) * _bound(c, 5_000, 20_000) / 10_000 * WAD / _price(market == 0 ? 2 : 1);
        int256 delta = (c >> 128) % 2 == 0 ? int256(units) : -int256(units);
        int256 before = _accountValue(who);
        vm.startPrank(who);
        try engine.modifyPosition(market, delta, delta > 0 ? type(uint256).max : 0) {}
        catch {
            vm.stopPrank();
            return false;
        }
        try engine.modifyPosition(market, -delta, -delta > 0 ? type(uint256).max : 0) {} catch {}
        vm.stopPrank();
        int256 after_ = _accountValue(who);
        if (after_ > before) {
            _violate(ROUND_TRIP_PROFIT, "open then close raised the account's value", uint256(after_ - before));
        }
        return true;
    }

    /// @notice What the account is worth to the engine: its maintenance equity (cash, collateral after haircuts,
    /// unrealized PnL), USD WAD.
    function _accountValue(address who) internal view returns (int256) {
        return engine.health(who).maintenanceEquity;
    }

    // ---------------------------------------------------------------- the attacker

    /// @dev The attacker works to leave others unpaid: mode 0 posts WETH worth three times the Pool's USDC and borrows
    /// the whole USDC reserve, or as much of it as the Pool lets it (halving the ask until one passes); mode 1 redeems
    /// all its unlocked LP shares for USDC, or as many as the Pool lets it; mode 2 opens a long on WETH as large as its
    /// margin allows, to take reserved liquidity; mode 3 repays its debt and puts USDC back into the Pool. After each,
    /// the liveness probes run on the state it left (`_checkLiveness`).
    function _attack(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 mode = uint256(keccak256(abi.encode(a, b, c, "attack"))) % 4;
        ++attacks[mode];
        if (mode == 0) return _attackBorrow();
        if (mode == 1) return _attackRedeem();
        if (mode == 2) return _attackOpen(c);
        return _attackRestore();
    }

    function _attackBorrow() internal returns (bool) {
        uint256 reserve = pool.reserves(address(tokens[0]));
        if (reserve == 0) return false;
        uint256 collateral = _amountForUsd(2, reserve * 1e12 * 3);
        tokens[2].mint(attacker, collateral);
        vm.startPrank(attacker);
        tokens[2].approve(address(engine), collateral);
        try engine.deposit(address(tokens[2]), collateral, attacker) {} catch {}
        (uint256 credit,,) = engine.cash(attacker);
        bool borrowed;
        for (uint256 ask = reserve; ask > 1e6 && !borrowed; ask /= 2) {
            try engine.withdraw(address(tokens[0]), credit + ask, attacker) {
                attackerBorrowed += ask;
                borrowed = true;
            } catch {
                ++attackerRefused;
            }
        }
        vm.stopPrank();
        return borrowed;
    }

    function _attackRedeem() internal returns (bool) {
        (uint256 locked,) = pool.lockedShares(attacker);
        uint256 shares = pool.balanceOf(attacker) - locked;
        bool redeemed;
        vm.startPrank(attacker);
        for (; shares > 1e18 && !redeemed; shares /= 2) {
            try pool.withdraw(shares, address(tokens[0]), 0, attacker) {
                redeemed = true;
            } catch {
                ++attackerRefused;
            }
        }
        vm.stopPrank();
        return redeemed;
    }

    function _attackOpen(uint256 c) internal returns (bool) {
        int256 value = _netValue(attacker);
        if (value < 1_000e18) return false;
        uint256 units = uint256(value) * _bound(c, 10_000, 30_000) / 10_000 * WAD / _price(2);
        vm.prank(attacker);
        try engine.modifyPosition(0, int256(units), type(uint256).max) {
            return true;
        } catch {
            return false;
        }
    }

    function _attackRestore() internal returns (bool) {
        (,, uint256 debt) = engine.cash(attacker);
        uint256 amount = debt + 100_000e6;
        tokens[0].mint(attacker, 2 * amount);
        vm.startPrank(attacker);
        tokens[0].approve(address(engine), amount);
        tokens[0].approve(address(pool), amount);
        bool ok = true;
        try engine.deposit(address(tokens[0]), amount, attacker) {}
        catch {
            ok = false;
        }
        try pool.deposit(address(tokens[0]), amount, 0, attacker) {} catch {}
        vm.stopPrank();
        return ok;
    }

    // ---------------------------------------------------------------- liveness probes (docs/design.md#liveness)

    /// @dev After every step, on the state it left (each probe is undone): L1, one account with a position, healthy
    /// and whose market is priced for a close, closes it in full; L2, every account liquidatable at usable prices is
    /// liquidated by a keeper holding nothing, with no Pool loan; L3, one LP (or the attacker) withdraws 99 % of the
    /// liquidity the Pool says is available in one asset, when every price is Ok and it has unlocked shares.
    function _checkLiveness(uint256 seed) internal {
        address[] memory list = allAccounts();
        // L1
        uint256 k = seed % list.length;
        uint256 m = (seed >> 8) % 2;
        address who = list[k];
        if (engine.position(who, m).size != 0 && !engine.health(who).liquidatable && _exitPriced(m == 0 ? 2 : 1)) {
            ++checked[L1_CLOSE];
            ++closesProbed;
            (bool ok, bytes4 reason, uint256 inKind) = _probe(probe, abi.encodeCall(LivenessProbe.close, (who, m)));
            if (!ok) _violate(L1_CLOSE, "a healthy account could not close", uint256(uint32(reason)));
            if (inKind != 0) ++closesPaidInKind;
        }
        // L2
        for (uint256 j = 0; j < list.length; ++j) {
            try engine.liquidationHealth(list[j]) returns (IMarginEngineTypes.Health memory h) {
                if (!h.liquidatable) continue;
            } catch {
                continue;
            }
            ++checked[L2_LIQUIDATE];
            ++liquidationsProbed;
            (bool ok, bytes4 reason, uint256 loans) =
                _probe(probe, abi.encodeCall(LivenessProbe.liquidate, (probeKeeper, list[j])));
            if (!ok) _violate(L2_LIQUIDATE, "a liquidatable account could not be liquidated", uint256(uint32(reason)));
            if (loans != 0) _violate(L2_LIQUIDATE, "a liquidation borrowed from the Pool", loans);
        }
        // L3
        _probeLpExit(seed >> 16);
    }

    function _probeLpExit(uint256 seed) internal {
        for (uint256 j = 0; j < 3; ++j) {
            if (oracle.status(address(tokens[j])) != IOracleAggregator.Status.Ok) return;
        }
        address who = seed % 3 == 2 ? attacker : lps[seed % 3];
        uint256 i = (seed >> 8) % 3;
        (uint256 locked,) = pool.lockedShares(who);
        uint256 free = pool.balanceOf(who) - locked;
        uint256 available = pool.availableLiquidity(address(tokens[i])) * 99 / 100;
        IOracleAggregator.PriceData memory p = oracle.getPriceData(address(tokens[i]));
        uint256 high = p.median > p.twap ? p.median : p.twap;
        uint256 shares = available.toValueDown(high, tokens[i].decimals()) * WAD / pool.sharePrice(false);
        if (shares > free) shares = free;
        if (shares < 1e15) return;
        ++checked[L3_LP_EXIT];
        ++lpExitsProbed;
        (bool ok, bytes4 reason,) =
            _probe(probe, abi.encodeCall(LivenessProbe.lpWithdraw, (who, shares, address(tokens[i]))));
        if (!ok) _violate(L3_LP_EXIT, "an LP could not withdraw available liquidity", uint256(uint32(reason)));
    }

    /// @notice Whether the oracle prices a close in asset `i`: its sources' status is Ok or Deviated
    /// (docs/design.md#liveness: a freeze does not stop a close).
    function _exitPriced(uint256 i) internal view returns (bool) {
        IOracleAggregator.Status s = oracle.sourceStatus(address(tokens[i]));
        return s == IOracleAggregator.Status.Ok || s == IOracleAggregator.Status.Deviated;
    }

    // ---------------------------------------------------------------- always allowed (invariant 8)

    /// @dev Mode 0: a trader adds 100 to 5,000 USD of WBTC or WETH collateral; mode 1: a trader with debt repays
    /// part or all of it (plus some credit); mode 2: a trader with no debt and no positions withdraws every collateral
    /// balance and its whole credit. Whatever the oracle's statuses, pauses or the account's health: each call must
    /// succeed, or the check fails with the revert's selector.
    function _alwaysAllowed(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 k = a % 3;
        address who = traders[k];
        _actor = k;
        uint256 mode = (b >> 8) % 3;
        (, uint256 scaledDebt, uint256 debt) = engine.cash(who);
        if (mode == 1 && scaledDebt == 0) mode = 0;
        ++exitsTried[mode];
        ++checked[EXIT_REFUSED];
        if (mode == 0) {
            uint256 i = 1 + b % 2;
            return _mustDeposit(who, i, _amountForUsd(i, _bound(c, 100, 5_000) * WAD), "add collateral refused");
        }
        if (mode == 1) return _mustDeposit(who, 0, debt * _bound(c, 10, 12_000) / 10_000 + 1, "repay refused");
        (, uint16 markets) = engine.accountMasks(who);
        if (markets != 0 || scaledDebt != 0) return false;
        for (uint256 i = 0; i < 3; ++i) {
            uint256 amount;
            if (i == 0) (amount,,) = engine.cash(who);
            else amount = engine.collateralBalance(who, address(tokens[i]));
            if (amount == 0) continue;
            vm.prank(who);
            try engine.withdraw(address(tokens[i]), amount, who) {}
            catch (bytes memory reason) {
                _violate(EXIT_REFUSED, "a flat account's withdrawal refused", uint256(bytes32(reason)) >> 224);
                return false;
            }
        }
        return true;
    }

    function _mustDeposit(address who, uint256 i, uint256 amount, string memory what) internal returns (bool) {
        MockERC20 t = tokens[i];
        t.mint(who, amount);
        vm.startPrank(who);
        t.approve(address(engine), amount);
        try engine.deposit(address(t), amount, who) {
            vm.stopPrank();
            return true;
        } catch (bytes memory reason) {
            vm.stopPrank();
            _violate(EXIT_REFUSED, what, uint256(bytes32(reason)) >> 224);
            return false;
        }
    }

    // ---------------------------------------------------------------- oracle faults

    /// @dev On WBTC or WETH (USDC one time in six): mode 0, its feed is moved by -50 % to +50 % and the oracle
    /// updated at once (the TWAP lags: Deviated); mode 1, its feed's answer is stamped older than the heartbeat and the
    /// oracle updated (no fresh source: Stale); mode 2, its feed reverts and the oracle is updated (Stale); mode 3,
    /// the guardian freezes or unfreezes it; mode 4, 10 minutes to 2 hours pass with no update (every price ages,
    /// Stale past an hour). Faults last until the next settle (`_healFaults`: price moves, time passing, an LP's
    /// cooldown wait).
    function _oracleFault(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 mode = uint256(keccak256(abi.encode(a, b, c, "fault"))) % 5;
        ++faults[mode];
        uint256 i = a % 6 == 0 ? 0 : 1 + (a >> 8) % 2;
        _asset = i;
        if (mode == 4) {
            _asset = NONE;
            _advance(_bound(b, 600, 7_200));
            return true;
        }
        if (mode == 0) {
            uint256 next = uint256(feeds[i].answer()) * _bound(b, 5_000, 15_000) / 10_000;
            feeds[i].setAnswer(int256(_clamp(i, next)));
        } else if (mode == 1) {
            feeds[i].setUpdatedAt(uint64(time - HEARTBEAT - 1));
        } else if (mode == 2) {
            feeds[i].setReverting(true);
            feedReverting[i] = true;
        } else {
            // The guardian lifts an active freeze, or freezes (refused within a freeze's length of the last one's end:
            // docs/design.md#liveness, only governance renews a freeze).
            bool active = oracle.status(address(tokens[i])) == IOracleAggregator.Status.Frozen;
            vm.prank(guardian);
            try oracle.setFrozen(address(tokens[i]), !active) {
                frozen[i] = !active;
                _frozenUntil[i] = active ? 0 : oracle.frozenUntil(address(tokens[i]));
                return true;
            } catch {
                return false;
            }
        }
        try oracle.update(address(tokens[i])) {
            return true;
        } catch {
            return false;
        }
    }

    /// @dev Undo the faults that outlast a restamp: a reverting feed; a frozen asset is outlived to its expiry.
    function _healFaults() internal {
        for (uint256 i = 0; i < 3; ++i) {
            if (feedReverting[i]) {
                feeds[i].setReverting(false);
                feedReverting[i] = false;
            }
            if (frozen[i]) {
                // The freeze is outlived, not lifted: once its end has passed it must have expired by itself (L5).
                if (time < _frozenUntil[i]) _advance(_frozenUntil[i] - time);
                ++checked[L5_FREEZE_EXPIRY];
                if (oracle.status(address(tokens[i])) == IOracleAggregator.Status.Frozen) {
                    _violate(L5_FREEZE_EXPIRY, "a freeze outlived its expiry", i);
                }
                frozen[i] = false;
                _frozenUntil[i] = 0;
            }
        }
    }

    function _clamp(uint256 i, uint256 price) internal view returns (uint256) {
        uint256 low = startPrices[i] / PRICE_RANGE;
        uint256 high = startPrices[i] * PRICE_RANGE;
        return price < low ? low : price > high ? high : price;
    }

    /// @notice Whether a price a liquidation of `account` would need (its markets' assets, its collateral assets)
    /// has a status under which docs/design.md#oracle-policy forbids liquidating: Stale by its sources (a freeze does
    /// not stop a liquidation: docs/design.md#liveness).
    function _priceUnavailable(address account) internal view returns (bool) {
        for (uint256 m = 0; m < 2; ++m) {
            if (engine.position(account, m).size != 0 && _unavailable(m == 0 ? 2 : 1)) return true;
        }
        for (uint256 i = 1; i < 3; ++i) {
            if (engine.collateralBalance(account, address(tokens[i])) != 0 && _unavailable(i)) return true;
        }
        return false;
    }

    /// @notice Whether a market's asset has its median and TWAP apart: a liquidation then closes at the price better for
    /// the account (docs/design.md#oracle-policy), which can lie on the far side of the price the lower NAV counted
    /// that side's PnL at (the NAV takes each market's PnL at the bound worse for LPs over both sides together), so the
    /// lower share price can fall by up to the closed size times the spread without any deficit.
    function _marketAtSpread() internal view returns (bool) {
        for (uint256 m = 0; m < 2; ++m) {
            IOracleAggregator.PriceData memory d = oracle.getPriceData(address(tokens[m == 0 ? 2 : 1]));
            if (d.median != d.twap) return true;
        }
        return false;
    }

    /// @notice Whether `account` holds a collateral asset whose median and TWAP differ (an absorb then values the
    /// seizure at the lower of the two, as the Pool books it).
    function _collateralAtSpread(address account) internal view returns (bool) {
        for (uint256 i = 1; i < 3; ++i) {
            if (engine.collateralBalance(account, address(tokens[i])) == 0) continue;
            IOracleAggregator.PriceData memory d = oracle.getPriceData(address(tokens[i]));
            if (d.median != d.twap) return true;
        }
        return false;
    }

    function _indexOf(address account) internal view returns (uint256) {
        for (uint256 k = 0; k < 3; ++k) {
            if (traders[k] == account) return k;
        }
        if (account == attacker) return 3;
        revert("not an account of the handler");
    }

    function _unavailable(uint256 i) internal view returns (bool) {
        return oracle.sourceStatus(address(tokens[i])) == IOracleAggregator.Status.Stale;
    }

    function _checkLiquidationPrice(address account, address[] memory list, bool[] memory unavailable) internal {
        for (uint256 k = 0; k < list.length; ++k) {
            if (list[k] != account) continue;
            ++checked[UNAVAILABLE_PRICE];
            if (unavailable[k]) _violate(UNAVAILABLE_PRICE, "liquidated at a Stale price", k);
        }
    }

    // ---------------------------------------------------------------- the checks around every step

    function _readBooks(uint256 k) internal view returns (Books memory books) {
        address who = traders[k];
        (books.credit, books.scaledDebt,) = engine.cash(who);
        for (uint256 i = 0; i < 2; ++i) {
            books.collateral[i] = engine.collateralBalance(who, address(tokens[1 + i]));
            books.positions[i] = keccak256(abi.encode(engine.position(who, i)));
        }
        IMarginEngineTypes.Health memory h = engine.health(who);
        books.excess = h.maintenanceEquity - int256(h.maintenanceMargin);
        books.liquidatable = h.liquidatable;
    }

    function _sharePrices() internal view returns (bool ok, uint256 low, uint256 high) {
        try pool.sharePrice(false) returns (uint256 l) {
            low = l;
        } catch {
            return (false, 0, 0);
        }
        try pool.sharePrice(true) returns (uint256 h) {
            high = h;
        } catch {
            return (false, 0, 0);
        }
        ok = true;
    }

    function _oracleDigest(uint256 i) internal view returns (bytes32) {
        return keccak256(abi.encode(oracle.getPriceData(address(tokens[i]))));
    }

    /// @notice Record what the checks compare against (called before every action, and again by an action after its
    /// own preparation: an LP's cooldown wait, a trader's first deposit).
    function _snapshot() internal {
        _timeMoved = false;
        for (uint256 k = 0; k < 3; ++k) {
            _pre[k] = _readBooks(k);
            _preReserves[k] = pool.reserves(address(tokens[k]));
            _preOracle[k] = _oracleDigest(k);
        }
        for (uint256 i = 0; i < 2; ++i) {
            _preTotalCollateral[i] = engine.totalCollateral(address(tokens[1 + i]));
        }
        (_preSharePriceOk, _preSharePrice[0], _preSharePrice[1]) = _sharePrices();
    }

    function _checkAfter(uint256 kind) internal {
        bool pricesMoved = kind == PRICE_MOVE || kind == TIME_PASSES || kind == ORACLE_FAULT || _timeMoved;
        Books[3] memory now_;
        for (uint256 k = 0; k < 3; ++k) {
            now_[k] = _readBooks(k);
        }
        if (kind != LIQUIDATE) _checkBystanders(now_);
        if (!pricesMoved && kind != LIQUIDATE) _checkHealth(kind, now_);
        if (!pricesMoved) _checkSharePrice(kind);
        _checkCrossBooks(kind, now_);
    }

    /// @dev (9) Outside a liquidation, no account but the actor's own loses collateral or credit, gains debt, or sees
    /// its positions change.
    function _checkBystanders(Books[3] memory now_) internal {
        for (uint256 k = 0; k < 3; ++k) {
            if (k == _actor) continue;
            ++checked[BYSTANDER];
            Books storage pre = _pre[k];
            if (
                now_[k].credit < pre.credit || now_[k].scaledDebt > pre.scaledDebt
                    || now_[k].collateral[0] < pre.collateral[0] || now_[k].collateral[1] < pre.collateral[1]
                    || now_[k].positions[0] != pre.positions[0] || now_[k].positions[1] != pre.positions[1]
            ) _violate(BYSTANDER, "a bystander's books got worse", k);
        }
    }

    /// @dev (4) With prices and the clock unchanged, no action leaves a healthy account liquidatable; a gift lowers
    /// no account's margin excess.
    function _checkHealth(uint256 kind, Books[3] memory now_) internal {
        for (uint256 k = 0; k < 3; ++k) {
            ++checked[HEALTH];
            if (!_pre[k].liquidatable && now_[k].liquidatable) {
                _violate(HEALTH, string.concat("a healthy account made unhealthy by action ", vm.toString(kind)), k);
            }
            if (kind == GIFT) {
                ++checked[GIFT_HEALTH];
                if (now_[k].excess < _pre[k].excess) _violate(GIFT_HEALTH, "a gift lowered health", k);
            }
        }
    }

    /// @dev (2) With prices and the clock unchanged, the lower share price (what a share redeems for: lower NAV over
    /// the supply) falls by no more than the deficits socialized in the action, per share, plus
    /// `SHARE_PRICE_TOLERANCE`. The upper (deposit) price is not held to it: it counts traders' PnL at the price
    /// worse for them, and a liquidation or a reduce under a Deviated price settles at the better one
    /// (docs/design.md#oracle-policy), which narrows the spread between the two NAVs from above (a liquidation with no
    /// deficit can lower the upper price; the lower one holds).
    function _checkSharePrice(uint256 kind) internal {
        (bool ok, uint256 low,) = _sharePrices();
        if (!ok || !_preSharePriceOk) return;
        // An absorb while a seized collateral's median and TWAP differ is the case the Liquidator once valued above
        // the Pool's books (tests/forge/liquidator/Liquidate.t.sol); it is checked like every other step, and counted.
        if (_absorbAtSpread) ++absorbsAtSpread;
        if (kind == LIQUIDATE && _closeAtSpread) {
            // Not held to (2): the close at the better-for-the-account price moves value by design (`_marketAtSpread`).
            ++liquidationsAtMarketSpread;
            return;
        }
        ++checked[SHARE_PRICE];
        uint256 allowed = SHARE_PRICE_TOLERANCE;
        if (_socializedUsd != 0) {
            allowed += _socializedUsd * WAD / (pool.totalSupply() + pool.VIRTUAL_SHARES()) + 1;
        }
        if (low + allowed < _preSharePrice[0]) {
            _violate(
                SHARE_PRICE,
                string.concat("lower share price fell in action ", vm.toString(kind)),
                _preSharePrice[0] - low
            );
        }
    }

    /// @dev (10) An LP action in one pool asset leaves the other reserves, the collateral totals and every trader's
    /// books alone; a collateral action in one asset leaves the trader's other collateral, its positions and the
    /// volatile reserves alone; a trade in one market leaves the other market's position, the collateral and the
    /// volatile reserves alone; an oracle fault on one asset leaves the other assets' price data alone.
    function _checkCrossBooks(uint256 kind, Books[3] memory now_) internal {
        if (kind == LP_DEPOSIT || kind == LP_WITHDRAW) {
            ++checked[CROSS_BOOKS];
            for (uint256 i = 0; i < 3; ++i) {
                if (i != _asset && pool.reserves(address(tokens[i])) != _preReserves[i]) {
                    _violate(CROSS_BOOKS, "an LP action changed another asset's reserve", i);
                }
            }
            _checkCollateralTotals(NONE);
        } else if ((kind == COLLATERAL_DEPOSIT || kind == COLLATERAL_WITHDRAW) && _actor != NONE) {
            ++checked[CROSS_BOOKS];
            for (uint256 j = 0; j < 2; ++j) {
                if (1 + j != _asset && now_[_actor].collateral[j] != _pre[_actor].collateral[j]) {
                    _violate(CROSS_BOOKS, "a collateral action changed another collateral balance", j);
                }
                if (now_[_actor].positions[j] != _pre[_actor].positions[j]) {
                    _violate(CROSS_BOOKS, "a collateral action changed a position", j);
                }
            }
            _checkTraderActionBooks(_asset);
        } else if (kind == MODIFY_POSITION && _actor != NONE) {
            ++checked[CROSS_BOOKS];
            uint256 other = 1 - _market;
            if (now_[_actor].positions[other] != _pre[_actor].positions[other]) {
                _violate(CROSS_BOOKS, "a trade changed the other market's position", other);
            }
            for (uint256 j = 0; j < 2; ++j) {
                if (now_[_actor].collateral[j] != _pre[_actor].collateral[j]) {
                    _violate(CROSS_BOOKS, "a trade changed a collateral balance", j);
                }
            }
            _checkTraderActionBooks(NONE);
        } else if (kind == ORACLE_FAULT && _asset != NONE) {
            ++checked[CROSS_BOOKS];
            for (uint256 i = 0; i < 3; ++i) {
                if (i != _asset && _oracleDigest(i) != _preOracle[i]) {
                    _violate(CROSS_BOOKS, "an oracle fault changed another asset's price data", i);
                }
            }
        }
    }

    /// @dev A trader action leaves the volatile pool reserves alone, and the collateral totals but `except`'s.
    function _checkTraderActionBooks(uint256 except) internal {
        for (uint256 i = 1; i < 3; ++i) {
            if (pool.reserves(address(tokens[i])) != _preReserves[i]) {
                _violate(CROSS_BOOKS, "a trader action changed a volatile pool reserve", i);
            }
        }
        _checkCollateralTotals(except);
    }

    function _checkCollateralTotals(uint256 except) internal {
        for (uint256 j = 0; j < 2; ++j) {
            if (1 + j != except && engine.totalCollateral(address(tokens[1 + j])) != _preTotalCollateral[j]) {
                _violate(CROSS_BOOKS, "another asset's collateral total changed", j);
            }
        }
    }

    function _violate(uint256 check, string memory what, uint256 value) internal {
        if (broken[check]) return;
        broken[check] = true;
        _brokenAt[check] = string.concat(what, " (", vm.toString(value), ") at step time ", vm.toString(time));
    }

    /// @notice The first failure of `check`, in words ("" if none).
    function brokenAt(uint256 check) external view returns (string memory) {
        return _brokenAt[check];
    }

    // ---------------------------------------------------------------- helpers

    function _advance(uint256 seconds_) internal {
        _timeMoved = true;
        time += seconds_;
        blockNumber += seconds_ / BLOCK_TIME + 1;
        vm.warp(time);
        vm.roll(blockNumber);
    }

    /// @dev `ballast.prices.settle_prices`: restamp every feed and update, twice a TWAP window apart, then once more:
    /// every TWAP has caught up with its feed and every status is Ok.
    function _settle() internal {
        _healFaults();
        for (uint256 round = 0; round < 2; ++round) {
            _restampAndUpdate();
            _advance(TWAP_WINDOW + 1);
        }
        _restampAndUpdate();
    }

    function _restampAndUpdate() internal {
        for (uint256 i = 0; i < 3; ++i) {
            feeds[i].setAnswer(feeds[i].answer());
            oracle.update(address(tokens[i]));
        }
    }

    /// @notice The feed price of asset `i`, WAD.
    function _price(uint256 i) internal view returns (uint256) {
        return uint256(feeds[i].answer()) * 10 ** (18 - FEED_DECIMALS);
    }

    function _amountForUsd(uint256 i, uint256 usd) internal view returns (uint256) {
        return usd * 10 ** tokens[i].decimals() / _price(i);
    }

    /// @notice Collateral and credit less debt at the feeds' prices, WAD USD.
    function _netValue(address who) internal view returns (int256 value) {
        (uint256 credit,, uint256 debt) = engine.cash(who);
        value = int256(credit * 1e12) - int256(debt * 1e12);
        for (uint256 i = 1; i < 3; ++i) {
            uint256 balance = engine.collateralBalance(who, address(tokens[i]));
            value += int256(balance * _price(i) / 10 ** tokens[i].decimals());
        }
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + x % (max - min + 1);
    }
}
