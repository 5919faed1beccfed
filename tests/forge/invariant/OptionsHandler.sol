// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {OptionsBook} from "../../../contracts/products/OptionsBook.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {Vm, WithVm} from "../utils/Vm.sol";
import {LivenessProbe, Probing} from "./LivenessProbe.sol";

/// @title OptionsHandler
/// @notice What the options invariant fuzzer drives: the seeded bench core with an OptionsBook listed as margin
/// product 0 (OptionsInvariantTest.setUp), three actors with USDC collateral (100,000, 20,000 and 5,000) trading WETH
/// calls and puts through `MarginEngine.tradeProduct` and the WETH perp (market 0) through `modifyPosition`, sometimes
/// with WETH collateral and USDC debt, and a keeper liquidating through the Liquidator (a liquidation closes the perp
/// and the options together). One entry point, `step`, picks a weighted action with bounded inputs: trade (buy, write,
/// or reduce towards flat), perp (open or reduce), collateral (WETH in or out, USDC out with a borrow), move WETH's
/// price, let time pass (past expiries), settle an expired series, realize settled positions (an action with delta
/// 0), liquidate an unhealthy actor, list a new series, a one-block option round trip, an always-allowed action. Every
/// protocol call is made inside try/catch: a revert is a statistic, never a failure of the campaign. The handler keeps
/// its own clock (warped to before every action) and moves one block per step.
/// @dev The core invariants of docs/design.md#invariants the handler checks itself, as ghost flags (`broken`,
/// `brokenAt`): (5) a liquidation changes no other actor's books, (6) after every liquidation it performed the account
/// holds no position with negative maintenance equity (and without positions its equity is not negative: a deficit is
/// absorbed), (7) a one-block round trip in a series (buy then sell, write then buy back) returns no more cash than
/// went in, (8) adding collateral and repaying always succeed and a flat account with no debt can withdraw everything,
/// and liveness L2 after every step (every actor liquidatable at usable prices is liquidated by a keeper holding no
/// tokens, with no Pool loan: probed through a LivenessProbe, undone).
/// @dev Every realization of a settled position (by a trade, a delta-0 action or a liquidation) is recorded from the
/// book's `PositionSettled` events with the position the handler saw before the call; the invariants recompute its
/// payout from the series' settlement price. What the engine booked for the same call (`ProductTraded` /
/// `ProductLiquidated`, and the account's USDC credit for a delta-0 action) is compared with the book's figures here and
/// recorded as a `Booking` (expected, actual) the invariants check.
contract OptionsHandler is WithVm, Probing {
    // ---------------------------------------------------------------- actions

    uint256 public constant TRADE = 0;
    uint256 public constant PRICE_MOVE = 1;
    uint256 public constant TIME_PASSES = 2;
    uint256 public constant SETTLE = 3;
    uint256 public constant REALIZE = 4;
    uint256 public constant LIQUIDATE = 5;
    uint256 public constant LIST = 6;
    uint256 public constant PERP = 7;
    uint256 public constant COLLATERAL = 8;
    uint256 public constant ROUND_TRIP = 9;
    uint256 public constant ALWAYS_ALLOWED = 10;
    uint256 public constant ACTIONS = 11;

    /// @dev The checks (docs/design.md#invariants) the handler keeps as ghost flags.
    uint256 public constant OTHER_TOUCHED = 0; // 5: a liquidation touches no other account
    uint256 public constant NEGATIVE_EQUITY = 1; // 6: no positions with negative equity after a liquidation
    uint256 public constant ROUND_TRIP_PROFIT = 2; // 7: a one-block round trip returns no more than went in
    uint256 public constant EXIT_REFUSED = 3; // 8: add collateral, repay, a flat account's withdrawal always work
    uint256 public constant L2_LIQUIDATE = 4; // L2: a liquidatable actor is liquidated by a keeper with no tokens
    uint256 public constant CHECKS = 5;

    /// @dev What a `Booking` compares.
    uint256 public constant BOOKED_ENGINE_CASH = 0; // ProductTraded / ProductLiquidated cash = payoffs + trade cash
    uint256 public constant BOOKED_CREDIT = 1; // the account's USDC credit moved by the payoffs, in units
    uint256 public constant BOOKED_COUNT = 2; // one PositionSettled per settled series held before the call
    uint256 public constant BOOKED_PAYOFF = 3; // a PositionSettled's payoff = the payout computed before the call

    uint256 internal constant WAD = 1e18;
    uint256 internal constant UNIT = 1e12; // USD WAD per USDC unit (USDC at exactly 1 USD)
    uint256 internal constant PRODUCT = 0;
    uint256 internal constant MARKET = 0; // the WETH perp
    uint256 internal constant BLOCK_TIME = 12;
    uint256 internal constant TWAP_WINDOW = 600; // the oracle's (EngineFixture)
    uint256 public constant N_ACTORS = 3;
    uint128 public constant MAX_OPEN = 50e18;
    /// @dev WETH stays in [500, 20,000] (whole feed units: 8 decimals).
    uint256 internal constant MIN_PRICE = 500e18;
    uint256 internal constant MAX_PRICE = 20_000e18;

    bytes32 internal constant POSITION_SETTLED = keccak256("PositionSettled(uint256,address,int256,int256)");
    bytes32 internal constant POSITION_LIQUIDATED = keccak256("PositionLiquidated(uint256,address,int256,int256)");
    bytes32 internal constant PRODUCT_TRADED = keccak256("ProductTraded(address,uint256,int256,bool,bool)");
    bytes32 internal constant PRODUCT_LIQUIDATED = keccak256("ProductLiquidated(address,uint256,uint256,int256,bool)");

    // ---------------------------------------------------------------- the system

    IPool public immutable pool;
    IMarginEngine public immutable engine;
    OptionsBook public immutable book;
    Liquidator public immutable liquidator;
    OracleAggregator public immutable oracle;
    MockERC20 public immutable usdc;
    address public immutable weth;
    address[3] internal assets;
    MockFeed[3] internal feeds;
    address[N_ACTORS] internal actors;
    address public immutable keeper;
    /// @notice A keeper that holds nothing, for the liquidation probes (L2).
    address public immutable probeKeeper;
    LivenessProbe public immutable probe;

    // ---------------------------------------------------------------- clock and ghosts

    /// @notice The handler's clock and block (warped and rolled to before every action).
    uint256 public time;
    uint256 public blockNumber;
    /// @notice WETH's current feed price, and the lowest and highest it was ever set to.
    uint256 public wethPrice;
    uint256 public wethMin;
    uint256 public wethMax;

    uint256[ACTIONS] public picked;
    uint256[ACTIONS] public succeeded;

    /// @notice One realized settled position: what the book paid (`payoff`, from its event) for `size`.
    struct Realization {
        uint256 seriesId;
        address account;
        int256 size;
        int256 payoff;
    }

    /// @notice One comparison of what the engine booked with the book's figures (`kind`: BOOKED_*).
    struct Booking {
        uint256 kind;
        int256 expected;
        int256 actual;
    }

    Realization[] internal _realizations;
    Booking[] internal _bookings;

    /// @notice The series settled, in order; how many long and short positions were open in them when they settled
    /// (summed: the rounding bound of the settled aggregates).
    uint256[] public settledIds;
    uint256 public longHoldersAtSettlement;
    uint256 public shortHoldersAtSettlement;
    /// @notice PositionSettled events that match no settled position the handler saw the account hold before the call.
    uint256 public unmatchedEvents;
    /// @notice Listings accepted with MAX_LIVE_SERIES already live, and trades that left an account holding more than
    /// MAX_ACCOUNT_SERIES series.
    uint256 public overLimit;
    uint256 public liquidations;
    uint256 public liquidatableSeen;
    uint256 public creditChecks;
    uint256 public tooManySeriesRefused;
    uint256 public listingsRefusedFull;
    /// @notice The selector of every refused trade (statistics).
    bytes4[] public tradeReverts;

    /// @notice Per check: how often it was evaluated, whether it ever failed, and the first failure's story.
    uint256[CHECKS] public checked;
    bool[CHECKS] public broken;
    string[CHECKS] internal _brokenAt;
    /// @notice Liquidations of an actor holding a perp and options together; liquidations after which the account's
    /// health could not be read (a price unusable); round trips by mode (buy then sell, write then buy back) and those
    /// whose second leg was refused (no comparison: the position stays); always-allowed calls by mode (add
    /// collateral, repay, a flat account's withdrawal); L2 probes.
    uint256 public mixedLiquidations;
    uint256 public unreadAfterLiquidation;
    uint256[2] public roundTrips;
    uint256 public roundTripsIncomplete;
    uint256[3] public exitsTried;
    uint256 public liquidationsProbed;

    struct Held {
        uint256 seriesId;
        int256 size;
    }

    constructor(
        IPool pool_,
        IMarginEngine engine_,
        OptionsBook book_,
        Liquidator liquidator_,
        OracleAggregator oracle_,
        address[3] memory assets_,
        MockFeed[3] memory feeds_,
        uint256 wethPrice_
    ) {
        (pool, engine, book, liquidator, oracle) = (pool_, engine_, book_, liquidator_, oracle_);
        probeKeeper = address(uint160(uint256(keccak256("options probe keeper"))));
        probe = new LivenessProbe(pool_, engine_, liquidator_);
        (assets, feeds) = (assets_, feeds_);
        usdc = MockERC20(assets_[0]);
        weth = assets_[2];
        (wethPrice, wethMin, wethMax) = (wethPrice_, wethPrice_, wethPrice_);
        keeper = address(uint160(uint256(keccak256("options keeper"))));
        uint256[N_ACTORS] memory collateral = [uint256(100_000e6), 20_000e6, 5_000e6];
        for (uint256 i = 0; i < N_ACTORS; ++i) {
            address a = address(uint160(uint256(keccak256(abi.encode("options actor", i)))));
            actors[i] = a;
            usdc.mint(a, collateral[i]);
            vm.startPrank(a);
            usdc.approve(address(engine_), collateral[i]);
            engine_.deposit(address(usdc), collateral[i], a);
            vm.stopPrank();
        }
        (time, blockNumber) = (vm.getBlockTimestamp(), vm.getBlockNumber());
    }

    /// @notice List the opening series (the handler holds the book's risk manager role): calls and puts struck around
    /// the price, expiring 2 to 10 hours out.
    function listInitial() external {
        uint16[6] memory pct = [uint16(100), 100, 110, 90, 105, 95];
        for (uint256 i = 0; i < pct.length; ++i) {
            _list(wethPrice * pct[i] / 100, 2 hours + i * 1.6 hours, i % 2 == 0);
        }
    }

    // ---------------------------------------------------------------- views for the invariants

    function actor(uint256 i) external view returns (address) {
        return actors[i];
    }

    /// @notice Every engine account the handler touches: the three actors, then the keeper (paid in collateral).
    function allAccounts() external view returns (address[] memory list) {
        list = new address[](N_ACTORS + 1);
        for (uint256 i = 0; i < N_ACTORS; ++i) {
            list[i] = actors[i];
        }
        list[N_ACTORS] = keeper;
    }

    /// @notice The first failure of `check`, in words ("" if none).
    function brokenAt(uint256 check) external view returns (string memory) {
        return _brokenAt[check];
    }

    function realizationCount() external view returns (uint256) {
        return _realizations.length;
    }

    function realization(uint256 i) external view returns (Realization memory) {
        return _realizations[i];
    }

    function bookingCount() external view returns (uint256) {
        return _bookings.length;
    }

    function booking(uint256 i) external view returns (Booking memory) {
        return _bookings[i];
    }

    function tradeRevertCount() external view returns (uint256) {
        return tradeReverts.length;
    }

    function settledCount() external view returns (uint256) {
        return settledIds.length;
    }

    // ---------------------------------------------------------------- the fuzzer's entry point

    /// @notice One action, weighted (`_pick`), then the L2 probe on the state it left.
    function step(uint256 which, uint256 a, uint256 b, uint256 c) external {
        _enter();
        uint256 action = _pick(which % 100);
        ++picked[action];
        bool ok;
        if (action == TRADE) ok = _tradeAction(a, b, c);
        else if (action == PRICE_MOVE) ok = _priceMove(a);
        else if (action == TIME_PASSES) ok = _timePasses(a, b, c);
        else if (action == SETTLE) ok = _settleAction(a);
        else if (action == REALIZE) ok = _realizeAction(a);
        else if (action == LIQUIDATE) ok = _liquidateAction(a);
        else if (action == LIST) ok = _listAction(a, b, c);
        else if (action == PERP) ok = _perpAction(a, b, c);
        else if (action == COLLATERAL) ok = _collateralAction(a, b, c);
        else if (action == ROUND_TRIP) ok = _roundTrip(a, b, c);
        else ok = _alwaysAllowed(a, b, c);
        if (ok) ++succeeded[action];
        _checkLiquidatable();
    }

    // ---------------------------------------------------------------- actions

    /// @dev The action of a draw in [0, 100): trade 28, perp 10, price 12, time 10, settle 10, realize 8,
    /// collateral 3, round trip 4, liquidate 8, always allowed 3, list 4 (in the order of the draw's ranges).
    function _pick(uint256 w) internal pure returns (uint256) {
        if (w < 28) return TRADE;
        if (w < 38) return PERP;
        if (w < 50) return PRICE_MOVE;
        if (w < 60) return TIME_PASSES;
        if (w < 70) return SETTLE;
        if (w < 78) return REALIZE;
        if (w < 81) return COLLATERAL;
        if (w < 85) return ROUND_TRIP;
        if (w < 93) return LIQUIDATE;
        if (w < 96) return ALWAYS_ALLOWED;
        return LIST;
    }

    /// @dev Buy, write, or reduce towards flat (a long sold, a short bought back) `a`'s chosen series.
    function _tradeAction(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = actors[a % N_ACTORS];
        uint256 seriesId = _pickSeries(who, b);
        if (seriesId == 0) return false;
        int256 delta = _delta(book.positionOf(who, seriesId), c);
        if (delta == 0) return false;
        return _trade(who, abi.encode(IOptionsBookTypes.Trade(seriesId, delta, type(int256).min)));
    }

    /// @dev From `c`: buy 0.01 to 10, write 0.01 to 30 (up to the margin of the smaller accounts), or reduce
    /// `position` towards flat by 0.01 to 10 (0 when flat).
    function _delta(int256 position, uint256 c) internal pure returns (int256) {
        uint256 size = _bound(c >> 8, 0.01e18, 10e18);
        uint256 mode = c % 3;
        if (mode == 0) return int256(size);
        if (mode == 1) return -int256(_bound(c >> 8, 0.01e18, 30e18));
        uint256 abs = position > 0 ? uint256(position) : uint256(-position);
        uint256 part = size < abs ? size : abs;
        return position > 0 ? -int256(part) : int256(part);
    }

    /// @dev `who` trades `action` through the engine; the settled positions it realizes first are recorded.
    function _trade(address who, bytes memory action) internal returns (bool) {
        (Held[] memory held, int256[] memory expected) = _settledHeld(who);
        vm.recordLogs();
        vm.prank(who);
        try engine.tradeProduct(PRODUCT, action) returns (bytes memory result) {
            Vm.Log[] memory logs = vm.getRecordedLogs();
            (int256 tradeCash,) = abi.decode(result, (int256, uint256));
            int256 payoffs = _recordRealizations(who, held, expected, logs);
            _book(BOOKED_ENGINE_CASH, payoffs + tradeCash, _engineCash(logs, PRODUCT_TRADED, who));
            if (book.accountSeries(who).length > book.MAX_ACCOUNT_SERIES()) ++overLimit;
            return true;
        } catch (bytes memory reason) {
            vm.getRecordedLogs();
            if (bytes4(reason) == IOptionsBookTypes.TooManyAccountSeries.selector) ++tooManySeriesRefused;
            tradeReverts.push(bytes4(reason));
            return false;
        }
    }

    /// @dev WETH's feed moves by -3 % to +3 % (the oracle stays within its 5 % deviation: trades go on), every asset
    /// updated once; or, one time in three, by -35 % to +40 % and held there while the TWAP catches up (two updates
    /// 601 s apart, then one more: median = TWAP, shorts on the wrong side become liquidatable); half of those large
    /// moves go against actor `(a >> 3) % 3`'s perp when it has one (a long: -20 % to -35 %, a short: +20 % to +40 %,
    /// so a levered perp and the options beside it reach a liquidation). Within [MIN_PRICE, MAX_PRICE].
    function _priceMove(uint256 a) internal returns (bool ok) {
        bool large = a % 3 == 0;
        uint256 factorBps = large ? _bound(a >> 2, 6_500, 14_000) : _bound(a >> 2, 9_700, 10_300);
        int256 perp = engine.position(actors[(a >> 3) % N_ACTORS], MARKET).size;
        if (large && (a >> 1) % 2 == 0 && perp != 0) {
            factorBps = perp > 0 ? _bound(a >> 16, 6_500, 8_000) : _bound(a >> 16, 12_000, 14_000);
        }
        uint256 price = wethPrice * factorBps / 10_000;
        price = price < MIN_PRICE ? MIN_PRICE : price > MAX_PRICE ? MAX_PRICE : price;
        price = price / 1e10 * 1e10;
        wethPrice = price;
        if (price < wethMin) wethMin = price;
        if (price > wethMax) wethMax = price;
        feeds[2].setAnswer(int256(price / 1e10));
        ok = _updateAll();
        if (!large) return ok;
        for (uint256 round = 0; round < 2; ++round) {
            _advance(TWAP_WINDOW + 1);
            ok = _updateAll() && ok;
        }
    }

    /// @dev Up to 2 hours pass: in steps of 60 s to 20 min with every asset updated after each (the oracle's ring
    /// observes the expiries), or, one time in eight, in one jump without any update (prices may go Stale).
    function _timePasses(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 dt = _bound(a, 60, 2 hours);
        if (b % 8 == 0) {
            _advance(dt);
            return true;
        }
        uint256 chunk = _bound(c, 60, 20 minutes);
        for (uint256 done = 0; done < dt; done += chunk) {
            _advance(dt - done < chunk ? dt - done : chunk);
            _updateAll();
        }
        return true;
    }

    /// @dev Settle the first expired series still live (chosen from `a`).
    function _settleAction(uint256 a) internal returns (bool) {
        uint256[] memory live = book.liveSeries();
        for (uint256 k = 0; k < live.length; ++k) {
            uint256 id = live[(a % live.length + k) % live.length];
            if (book.series(id).expiry > block.timestamp) continue;
            (uint256 longs, uint256 shorts) = _holders(id);
            try book.settle(id) {
                settledIds.push(id);
                longHoldersAtSettlement += longs;
                shortHoldersAtSettlement += shorts;
                return true;
            } catch {
                return false;
            }
        }
        return false;
    }

    /// @dev The first actor from `a` holding a settled position (else `a`'s, refused: nothing to do) realizes its
    /// settled positions: a Trade with delta 0.
    function _realizeAction(uint256 a) internal returns (bool) {
        address who = actors[a % N_ACTORS];
        (Held[] memory held, int256[] memory expected) = _settledHeld(who);
        for (uint256 k = 1; k < N_ACTORS && held.length == 0; ++k) {
            address next = actors[(a % N_ACTORS + k) % N_ACTORS];
            (Held[] memory h, int256[] memory e) = _settledHeld(next);
            if (h.length != 0) (who, held, expected) = (next, h, e);
        }
        (uint256 creditBefore, uint256 debtBefore,) = engine.cash(who);
        bytes memory action = abi.encode(IOptionsBookTypes.Trade(0, 0, 0));
        vm.recordLogs();
        vm.prank(who);
        try engine.tradeProduct(PRODUCT, action) {
            Vm.Log[] memory logs = vm.getRecordedLogs();
            int256 payoffs = _recordRealizations(who, held, expected, logs);
            _book(BOOKED_ENGINE_CASH, payoffs, _engineCash(logs, PRODUCT_TRADED, who));
            _checkCredit(who, payoffs, creditBefore, debtBefore);
            return true;
        } catch {
            vm.getRecordedLogs();
            return false;
        }
    }

    /// @dev The keeper liquidates the first actor from `a` the engine says is liquidatable.
    function _liquidateAction(uint256 a) internal returns (bool) {
        address who;
        for (uint256 k = 0; k < N_ACTORS && who == address(0); ++k) {
            address candidate = actors[(a % N_ACTORS + k) % N_ACTORS];
            try engine.liquidationHealth(candidate) returns (IMarginEngineTypes.Health memory h) {
                if (h.liquidatable) who = candidate;
            } catch {}
        }
        if (who == address(0)) return false;
        ++liquidatableSeen;
        (Held[] memory held, int256[] memory expected) = _settledHeld(who);
        bytes32[N_ACTORS] memory before;
        for (uint256 k = 0; k < N_ACTORS; ++k) {
            before[k] = _books(actors[k]);
        }
        bool optionsHeld = book.accountSeries(who).length != 0;
        bool mixed = optionsHeld && engine.position(who, MARKET).size != 0;
        vm.recordLogs();
        vm.prank(keeper);
        try liquidator.liquidate(who) {
            Vm.Log[] memory logs = vm.getRecordedLogs();
            if (mixed) ++mixedLiquidations;
            _checkAfterLiquidation(who);
            for (uint256 k = 0; k < N_ACTORS; ++k) {
                if (actors[k] == who) continue;
                ++checked[OTHER_TOUCHED];
                if (_books(actors[k]) != before[k]) _violate(OTHER_TOUCHED, "a liquidation changed another actor", k);
            }
            int256 payoffs = _recordRealizations(who, held, expected, logs);
            int256 closedCash;
            for (uint256 i = 0; i < logs.length; ++i) {
                if (logs[i].emitter == address(book) && logs[i].topics[0] == POSITION_LIQUIDATED) {
                    (, int256 cash) = abi.decode(logs[i].data, (int256, int256));
                    closedCash += cash;
                }
            }
            // The engine closes the options only of an account that holds some (a perp alone: no ProductLiquidated).
            if (optionsHeld) {
                _book(BOOKED_ENGINE_CASH, payoffs + closedCash, _engineCash(logs, PRODUCT_LIQUIDATED, who));
            } else {
                _book(BOOKED_COUNT, 0, int256(_countEngineEvents(logs, PRODUCT_LIQUIDATED, who)));
            }
            ++liquidations;
            return true;
        } catch {
            vm.getRecordedLogs();
            return false;
        }
    }

    /// @dev List a series struck at 80 % to 120 % of the price, a call or a put, expiring 1 h 5 min to 9 h out.
    function _listAction(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 strike = wethPrice * _bound(a, 80, 120) / 100;
        uint256 tenor = _bound(b, book.settlementWindow() + book.MIN_TENOR(), 9 hours);
        return _list(strike, tenor, c % 2 == 0);
    }

    // ---------------------------------------------------------------- perps and collateral

    /// @dev Actor `a`'s WETH perp: one time in four (when it has one) reduced by 10 % to 100 % (half of those in
    /// full); else opened or added
    /// to, long or short, at 0.1x to 3x its cash and WETH collateral at the feed price (an actor worth under 500 USD
    /// first deposits 2,000 to 20,000 USDC).
    function _perpAction(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = actors[a % N_ACTORS];
        int256 size = engine.position(who, MARKET).size;
        int256 delta;
        if (size != 0 && b % 4 == 0) {
            uint256 fraction = (b >> 2) % 2 == 0 ? 10_000 : _bound(c, 1_000, 10_000);
            delta = fraction == 10_000 ? -size : -size * int256(fraction) / 10_000;
        } else {
            int256 value = _netValue(who);
            if (value < 500e18) {
                if (!_depositUsdc(who, _bound(c >> 128, 2_000, 20_000) * 1e6)) return false;
                value = _netValue(who);
                if (value <= 0) return false;
            }
            uint256 units = uint256(value) * _bound(c, 1_000, 30_000) / 10_000 * WAD / wethPrice;
            delta = (b >> 2) % 2 == 0 ? int256(units) : -int256(units);
        }
        if (delta == 0) return false;
        vm.prank(who);
        try engine.modifyPosition(MARKET, delta, delta > 0 ? type(uint256).max : 0) {
            return true;
        } catch {
            return false;
        }
    }

    /// @dev Actor `a`: deposits 0.1 to 5 WETH of collateral; or withdraws 10 % to 100 % of its USDC credit, half the
    /// time with 100 to 3,000 USDC more (a borrow from the Pool against its margin); or withdraws 10 % to 100 % of its
    /// WETH.
    function _collateralAction(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = actors[a % N_ACTORS];
        uint256 mode = b % 3;
        if (mode == 0) return _depositWeth(who, _bound(c, 0.1e18, 5e18));
        uint256 amount;
        address asset = mode == 1 ? address(usdc) : weth;
        if (mode == 1) {
            (uint256 credit,,) = engine.cash(who);
            amount = credit * _bound(c, 1_000, 10_000) / 10_000;
            if ((c >> 128) % 2 == 0) amount += _bound(c >> 64, 100, 3_000) * 1e6;
        } else {
            amount = engine.collateralBalance(who, weth) * _bound(c, 1_000, 10_000) / 10_000;
        }
        if (amount == 0) return false;
        vm.prank(who);
        try engine.withdraw(asset, amount, who) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- one-block round trips (invariant 7)

    /// @dev Actor `a` buys 0.01 to 5 units of a series still trading and sells them back, or writes them and buys
    /// them back, in one block (an actor holding a settled position is skipped: its first trade would realize it).
    /// Neither leg's limit binds. The account's cash (credit less debt, USDC units) and the two legs' cash (the book's
    /// figures) must not rise, and the position must be back where it was; a refused second leg leaves the position
    /// (counted, not compared).
    function _roundTrip(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = actors[a % N_ACTORS];
        uint256 seriesId = _pickSeries(who, b);
        if (seriesId == 0 || block.timestamp + book.settlementWindow() >= book.series(seriesId).expiry) return false;
        (Held[] memory held,) = _settledHeld(who);
        if (held.length != 0) return false;
        uint256 mode = c % 2;
        int256 size = int256(_bound(c >> 8, 0.01e18, 5e18));
        int256 delta = mode == 0 ? size : -size;
        int256 position = book.positionOf(who, seriesId);
        int256 cashBefore = _cashUnits(who);
        (int256 first, bool ok) = _tradeCash(who, seriesId, delta);
        if (!ok) return false;
        ++roundTrips[mode];
        (int256 second, bool back) = _tradeCash(who, seriesId, -delta);
        if (!back) {
            ++roundTripsIncomplete;
            return true;
        }
        ++checked[ROUND_TRIP_PROFIT];
        int256 cashAfter = _cashUnits(who);
        if (cashAfter > cashBefore) {
            _violate(ROUND_TRIP_PROFIT, "a round trip raised the account's cash", uint256(cashAfter - cashBefore));
        }
        if (first + second > 0) {
            _violate(ROUND_TRIP_PROFIT, "a round trip's legs paid out more than they took", uint256(first + second));
        }
        if (book.positionOf(who, seriesId) != position) {
            _violate(ROUND_TRIP_PROFIT, "a round trip moved a position", 0);
        }
        return true;
    }

    /// @dev `who` trades `delta` of `seriesId` through the engine, without a limit: the cash the book moved, and
    /// whether the trade went through.
    function _tradeCash(address who, uint256 seriesId, int256 delta) internal returns (int256 cash, bool ok) {
        vm.prank(who);
        try engine.tradeProduct(
            PRODUCT, abi.encode(IOptionsBookTypes.Trade(seriesId, delta, type(int256).min))
        ) returns (
            bytes memory result
        ) {
            (cash,) = abi.decode(result, (int256, uint256));
            ok = true;
        } catch {}
    }

    // ---------------------------------------------------------------- always allowed (invariant 8)

    /// @dev Actor `a`, whatever its health, the prices' status and its positions: mode 0 adds 0.01 to 2 WETH of
    /// collateral; mode 1 repays part or all of its debt and more (an actor without debt borrows 100 to 2,000 USDC
    /// first); mode 2 closes its perp and options and repays
    /// its debt (`_flatten`; if that fails, mode 0), then, with no debt, no perp and no option, withdraws its whole
    /// USDC credit and WETH and deposits them again (the actor plays on). Each deposit and withdrawal must succeed.
    function _alwaysAllowed(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = actors[a % N_ACTORS];
        uint256 mode = b % 3;
        (, uint256 scaledDebt, uint256 debt) = engine.cash(who);
        if (mode == 1 && scaledDebt == 0) {
            // No debt to repay: borrow 100 to 2,000 USDC first (the margin may refuse it: then mode 0).
            (uint256 available,,) = engine.cash(who);
            vm.prank(who);
            try engine.withdraw(address(usdc), available + _bound(c >> 64, 100, 2_000) * 1e6, who) {} catch {}
            (, scaledDebt, debt) = engine.cash(who);
            if (scaledDebt == 0) mode = 0;
        }
        if (mode == 2 && !_flatten(who)) mode = 0;
        ++exitsTried[mode];
        ++checked[EXIT_REFUSED];
        if (mode == 0) return _mustDeposit(who, weth, _bound(c, 0.01e18, 2e18), "add collateral refused");
        if (mode == 1) {
            return _mustDeposit(who, address(usdc), debt * _bound(c, 10, 12_000) / 10_000 + 1, "repay refused");
        }
        (uint256 credit,,) = engine.cash(who);
        uint256 wethHeld = engine.collateralBalance(who, weth);
        address[2] memory list = [address(usdc), weth];
        uint256[2] memory amounts = [credit, wethHeld];
        for (uint256 i = 0; i < 2; ++i) {
            if (amounts[i] == 0) continue;
            vm.prank(who);
            try engine.withdraw(list[i], amounts[i], who) {}
            catch (bytes memory reason) {
                _violate(EXIT_REFUSED, "a flat account's withdrawal refused", uint256(bytes32(reason)) >> 224);
                return false;
            }
        }
        for (uint256 i = 0; i < 2; ++i) {
            if (amounts[i] != 0) _mustDeposit(who, list[i], amounts[i], "a flat account's deposit refused");
        }
        return true;
    }

    /// @dev Try to leave `who` with no perp, no option and no debt: close the perp, trade every option position back
    /// to flat (realizing the settled ones), repay the debt; whether it got there (a series in its settlement window
    /// or expired and unsettled cannot be traded: then not).
    function _flatten(address who) internal returns (bool) {
        int256 size = engine.position(who, MARKET).size;
        if (size != 0) {
            vm.prank(who);
            try engine.modifyPosition(MARKET, -size, size < 0 ? type(uint256).max : 0) {} catch {}
        }
        uint256[] memory ids = book.accountSeries(who);
        for (uint256 i = 0; i < ids.length; ++i) {
            int256 position = book.positionOf(who, ids[i]);
            if (position == 0) continue; // realized by an earlier trade of this loop
            IOptionsBookTypes.Series memory s = book.series(ids[i]);
            bytes memory action = s.settled
                ? abi.encode(IOptionsBookTypes.Trade(0, 0, 0))
                : abi.encode(IOptionsBookTypes.Trade(ids[i], -position, type(int256).min));
            _trade(who, action);
        }
        (, uint256 scaledDebt, uint256 debt) = engine.cash(who);
        if (scaledDebt != 0) _mustDeposit(who, address(usdc), debt + 1, "repay refused");
        (, uint16 markets) = engine.accountMasks(who);
        (, scaledDebt,) = engine.cash(who);
        return markets == 0 && engine.accountProducts(who) == 0 && scaledDebt == 0;
    }

    /// @dev Mint `amount` of `asset` to `who`, who deposits it into its own account: it must succeed.
    function _mustDeposit(address who, address asset, uint256 amount, string memory what) internal returns (bool) {
        MockERC20(asset).mint(who, amount);
        vm.startPrank(who);
        MockERC20(asset).approve(address(engine), amount);
        try engine.deposit(asset, amount, who) {
            vm.stopPrank();
            return true;
        } catch (bytes memory reason) {
            vm.stopPrank();
            _violate(EXIT_REFUSED, what, uint256(bytes32(reason)) >> 224);
            return false;
        }
    }

    // ---------------------------------------------------------------- liquidation checks

    /// @dev (6) After a liquidation: an account that still holds a perp or an option has non-negative maintenance
    /// equity; one that holds nothing has too (a deficit was absorbed: its debt written off). Unread when a price
    /// is unusable (counted).
    function _checkAfterLiquidation(address who) internal {
        try engine.liquidationHealth(who) returns (IMarginEngineTypes.Health memory h) {
            ++checked[NEGATIVE_EQUITY];
            if (h.maintenanceEquity >= 0) return;
            (, uint16 markets) = engine.accountMasks(who);
            bool holds = markets != 0 || engine.accountProducts(who) != 0;
            _violate(
                NEGATIVE_EQUITY,
                holds
                    ? "positions left with negative maintenance equity"
                    : "no positions left but negative maintenance equity (not absorbed)",
                uint256(-h.maintenanceEquity)
            );
        } catch {
            ++unreadAfterLiquidation;
        }
    }

    /// @dev L2, after every step: every actor liquidatable at usable prices (`liquidationHealth` does not revert) is
    /// liquidated by a keeper holding nothing, with no Pool loan (probed, undone).
    function _checkLiquidatable() internal {
        for (uint256 k = 0; k < N_ACTORS; ++k) {
            try engine.liquidationHealth(actors[k]) returns (IMarginEngineTypes.Health memory h) {
                if (!h.liquidatable) continue;
            } catch {
                continue;
            }
            ++checked[L2_LIQUIDATE];
            ++liquidationsProbed;
            (bool ok, bytes4 reason, uint256 loans) =
                _probe(probe, abi.encodeCall(LivenessProbe.liquidate, (probeKeeper, actors[k])));
            if (!ok) _violate(L2_LIQUIDATE, "a liquidatable actor could not be liquidated", uint256(uint32(reason)));
            if (loans != 0) _violate(L2_LIQUIDATE, "a liquidation borrowed from the Pool", loans);
        }
    }

    /// @dev A digest of `who`'s books: cash, WETH collateral, perp, and every option position.
    function _books(address who) internal view returns (bytes32) {
        (uint256 credit, uint256 scaledDebt,) = engine.cash(who);
        uint256[] memory ids = book.accountSeries(who);
        int256[] memory sizes = new int256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            sizes[i] = book.positionOf(who, ids[i]);
        }
        return keccak256(
            abi.encode(
                credit, scaledDebt, engine.collateralBalance(who, weth), engine.position(who, MARKET), ids, sizes
            )
        );
    }

    function _violate(uint256 check, string memory what, uint256 value) internal {
        if (broken[check]) return;
        broken[check] = true;
        _brokenAt[check] = string.concat(what, " (", vm.toString(value), ") at time ", vm.toString(time));
    }

    // ---------------------------------------------------------------- helpers

    function _depositUsdc(address who, uint256 amount) internal returns (bool) {
        return _deposit(who, address(usdc), amount);
    }

    function _depositWeth(address who, uint256 amount) internal returns (bool) {
        return _deposit(who, weth, amount);
    }

    function _deposit(address who, address asset, uint256 amount) internal returns (bool ok) {
        MockERC20(asset).mint(who, amount);
        vm.startPrank(who);
        MockERC20(asset).approve(address(engine), amount);
        try engine.deposit(asset, amount, who) {
            ok = true;
        } catch {}
        vm.stopPrank();
    }

    /// @notice `who`'s cash: credit less debt, USDC units.
    function _cashUnits(address who) internal view returns (int256) {
        (uint256 credit,, uint256 debt) = engine.cash(who);
        return int256(credit) - int256(debt);
    }

    /// @notice Cash and WETH collateral at the feed price (options left out), USD WAD.
    function _netValue(address who) internal view returns (int256) {
        return _cashUnits(who) * int256(UNIT) + int256(engine.collateralBalance(who, weth) * wethPrice / WAD);
    }

    function _list(uint256 strike, uint256 tenor, bool isCall) internal returns (bool) {
        uint256 liveBefore = book.liveSeries().length;
        strike = strike / 1e18 * 1e18;
        try book.listSeries(weth, strike, block.timestamp + tenor, isCall, MAX_OPEN) {
            if (liveBefore >= book.MAX_LIVE_SERIES()) ++overLimit;
            return true;
        } catch (bytes memory reason) {
            if (bytes4(reason) == IOptionsBookTypes.TooManyLiveSeries.selector) ++listingsRefusedFull;
            return false;
        }
    }

    /// @dev A series still trading mostly (seven times in eight; half of those one `who` holds no position in, to
    /// reach MAX_ACCOUNT_SERIES), else any series ever listed (expired and settled ones refuse the trade).
    function _pickSeries(address who, uint256 b) internal view returns (uint256) {
        uint256[] memory live = book.liveSeries();
        bool fresh = (b >> 3) % 2 == 0;
        uint256 n;
        for (uint256 i = 0; i < live.length; ++i) {
            if (block.timestamp + book.settlementWindow() >= book.series(live[i]).expiry) continue;
            if (fresh && book.positionOf(who, live[i]) != 0) continue;
            live[n++] = live[i];
        }
        if (n != 0 && b % 8 != 0) return live[(b >> 4) % n];
        uint256 count = book.seriesCount();
        return count == 0 ? 0 : 1 + (b >> 4) % count;
    }

    /// @dev `who`'s positions in settled series and their payouts at the settlement price, computed here: a long
    /// gets size * payoff rounded down, a short pays size * payoff rounded up.
    function _settledHeld(address who) internal view returns (Held[] memory held, int256[] memory expected) {
        uint256[] memory ids = book.accountSeries(who);
        uint256 n;
        held = new Held[](ids.length);
        expected = new int256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            IOptionsBookTypes.Series memory s = book.series(ids[i]);
            if (!s.settled) continue;
            int256 size = book.positionOf(who, ids[i]);
            held[n] = Held(ids[i], size);
            expected[n] = payout(s.isCall, s.settlementPrice, s.strike, size);
            ++n;
        }
        assembly ("memory-safe") {
            mstore(held, n)
            mstore(expected, n)
        }
    }

    /// @notice The payout of `size` at `price`: max(0, S - K) for a call, max(0, K - S) for a put per unit; a long is
    /// paid size * unit rounded down, a short pays size * unit rounded up.
    function payout(bool isCall, uint256 price, uint256 strike, int256 size) public pure returns (int256) {
        uint256 unit = isCall ? (price > strike ? price - strike : 0) : (strike > price ? strike - price : 0);
        if (size >= 0) return int256(uint256(size) * unit / WAD);
        uint256 owed = uint256(-size) * unit;
        return -int256(owed / WAD + (owed % WAD == 0 ? 0 : 1));
    }

    /// @dev Record every PositionSettled `who` got in `logs` (each must match a settled position held before, with
    /// its size), and count them against the positions held; returns the payoffs' sum.
    function _recordRealizations(address who, Held[] memory held, int256[] memory expected, Vm.Log[] memory logs)
        internal
        returns (int256 sum)
    {
        uint256 events;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(book) || logs[i].topics[0] != POSITION_SETTLED) continue;
            uint256 id = uint256(logs[i].topics[1]);
            address account = address(uint160(uint256(logs[i].topics[2])));
            (int256 size, int256 payoff) = abi.decode(logs[i].data, (int256, int256));
            _realizations.push(Realization(id, account, size, payoff));
            sum += payoff;
            ++events;
            bool matched;
            for (uint256 k = 0; k < held.length; ++k) {
                if (account == who && held[k].seriesId == id && held[k].size == size) {
                    matched = true;
                    _book(BOOKED_PAYOFF, expected[k], payoff);
                }
            }
            if (!matched) ++unmatchedEvents;
        }
        _book(BOOKED_COUNT, int256(held.length), int256(events));
    }

    /// @dev A delta-0 action's payoffs in the account's USDC credit (checked when it had no debt and, for a payment,
    /// the credit covered it): + floor(payoffs / UNIT) or - ceil(-payoffs / UNIT).
    function _checkCredit(address who, int256 payoffs, uint256 creditBefore, uint256 debtBefore) internal {
        if (debtBefore != 0) return;
        (uint256 creditAfter,,) = engine.cash(who);
        if (payoffs >= 0) {
            _book(BOOKED_CREDIT, int256(creditBefore + uint256(payoffs) / UNIT), int256(creditAfter));
        } else {
            uint256 owed = (uint256(-payoffs) + UNIT - 1) / UNIT;
            if (owed > creditBefore) return;
            _book(BOOKED_CREDIT, int256(creditBefore - owed), int256(creditAfter));
        }
        ++creditChecks;
    }

    /// @dev How many `topic` events of the engine about `who` are in `logs`.
    function _countEngineEvents(Vm.Log[] memory logs, bytes32 topic, address who) internal view returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(engine) && logs[i].topics[0] == topic
                    && address(uint160(uint256(logs[i].topics[1]))) == who
            ) ++n;
        }
    }

    function _engineCash(Vm.Log[] memory logs, bytes32 topic, address who) internal returns (int256 cash) {
        uint256 found;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(engine) && logs[i].topics[0] == topic
                    && address(uint160(uint256(logs[i].topics[1]))) == who
            ) {
                if (topic == PRODUCT_TRADED) (cash,,) = abi.decode(logs[i].data, (int256, bool, bool));
                else (, cash,) = abi.decode(logs[i].data, (uint256, int256, bool));
                ++found;
            }
        }
        // No event, or more than one, cannot match a figure: recorded as a count mismatch.
        if (found != 1) _book(BOOKED_COUNT, 1, int256(found));
    }

    function _book(uint256 kind, int256 expected, int256 actual) internal {
        _bookings.push(Booking(kind, expected, actual));
    }

    /// @dev How many actors are long and short in `seriesId`.
    function _holders(uint256 seriesId) internal view returns (uint256 longs, uint256 shorts) {
        for (uint256 i = 0; i < N_ACTORS; ++i) {
            int256 p = book.positionOf(actors[i], seriesId);
            if (p > 0) ++longs;
            else if (p < 0) ++shorts;
        }
    }

    /// @dev Restamp every feed at its answer and update every asset (a revert: the oracle refused, e.g. same block).
    function _updateAll() internal returns (bool ok) {
        ok = true;
        for (uint256 i = 0; i < 3; ++i) {
            feeds[i].setAnswer(feeds[i].answer());
            try oracle.update(assets[i]) {}
            catch {
                ok = false;
            }
        }
    }

    function _enter() internal {
        _advance(BLOCK_TIME);
    }

    function _advance(uint256 dt) internal {
        time += dt;
        blockNumber += 1;
        vm.warp(time);
        vm.roll(blockNumber);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + x % (max - min + 1);
    }
}
