// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {OptionsBook} from "../../../contracts/products/OptionsBook.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {Vm, WithVm} from "../utils/Vm.sol";

/// @title OptionsHandler
/// @notice What the options invariant fuzzer drives: the seeded bench core with an OptionsBook listed as margin
/// product 0 (OptionsInvariantTest.setUp), three actors with USDC collateral (100,000, 20,000 and 5,000) trading WETH
/// calls and puts through `MarginEngine.tradeProduct`, and a keeper liquidating through the Liquidator. One entry point,
/// `step`, picks a weighted action with bounded inputs: trade (buy, write, or reduce towards flat), move WETH's price,
/// let time pass (past expiries), settle an expired series, realize settled positions (an action with delta 0),
/// liquidate an unhealthy actor, list a new series. Every protocol call is made inside try/catch: a revert is a
/// statistic, never a failure of the campaign. The handler keeps its own clock (warped to before every action) and
/// moves one block per step.
/// @dev Every realization of a settled position (by a trade, a delta-0 action or a liquidation) is recorded from the
/// book's `PositionSettled` events with the position the handler saw before the call; the invariants recompute its
/// payout from the series' settlement price. What the engine booked for the same call (`ProductTraded` /
/// `ProductLiquidated`, and the account's USDC credit for a delta-0 action) is compared with the book's figures here and
/// recorded as a `Booking` (expected, actual) the invariants check.
contract OptionsHandler is WithVm {
    // ---------------------------------------------------------------- actions

    uint256 public constant TRADE = 0;
    uint256 public constant PRICE_MOVE = 1;
    uint256 public constant TIME_PASSES = 2;
    uint256 public constant SETTLE = 3;
    uint256 public constant REALIZE = 4;
    uint256 public constant LIQUIDATE = 5;
    uint256 public constant LIST = 6;
    uint256 public constant ACTIONS = 7;

    /// @dev What a `Booking` compares.
    uint256 public constant BOOKED_ENGINE_CASH = 0; // ProductTraded / ProductLiquidated cash = payoffs + trade cash
    uint256 public constant BOOKED_CREDIT = 1; // the account's USDC credit moved by the payoffs, in units
    uint256 public constant BOOKED_COUNT = 2; // one PositionSettled per settled series held before the call
    uint256 public constant BOOKED_PAYOFF = 3; // a PositionSettled's payoff = the payout computed before the call

    uint256 internal constant WAD = 1e18;
    uint256 internal constant UNIT = 1e12; // USD WAD per USDC unit (USDC at exactly 1 USD)
    uint256 internal constant PRODUCT = 0;
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

    struct Held {
        uint256 seriesId;
        int256 size;
    }

    constructor(
        IMarginEngine engine_,
        OptionsBook book_,
        Liquidator liquidator_,
        OracleAggregator oracle_,
        address[3] memory assets_,
        MockFeed[3] memory feeds_,
        uint256 wethPrice_
    ) {
        (engine, book, liquidator, oracle) = (engine_, book_, liquidator_, oracle_);
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

    /// @notice One action, weighted: trade 35 %, price 12 %, time 12 %, settle 12 %, realize 12 %, liquidate 10 %,
    /// list 7 %.
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
        else ok = _listAction(a, b, c);
        if (ok) ++succeeded[action];
    }

    // ---------------------------------------------------------------- actions

    /// @dev The action of a draw in [0, 100): trade 35, price 12, time 12, settle 12, realize 12, liquidate 10, list 7.
    function _pick(uint256 w) internal pure returns (uint256) {
        if (w < 35) return TRADE;
        if (w < 47) return PRICE_MOVE;
        if (w < 59) return TIME_PASSES;
        if (w < 71) return SETTLE;
        if (w < 83) return REALIZE;
        if (w < 93) return LIQUIDATE;
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
    /// 601 s apart, then one more: median = TWAP, shorts on the wrong side become liquidatable). Within
    /// [MIN_PRICE, MAX_PRICE].
    function _priceMove(uint256 a) internal returns (bool ok) {
        bool large = a % 3 == 0;
        uint256 factorBps = large ? _bound(a >> 2, 6_500, 14_000) : _bound(a >> 2, 9_700, 10_300);
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
        vm.recordLogs();
        vm.prank(keeper);
        try liquidator.liquidate(who) {
            Vm.Log[] memory logs = vm.getRecordedLogs();
            int256 payoffs = _recordRealizations(who, held, expected, logs);
            int256 closedCash;
            for (uint256 i = 0; i < logs.length; ++i) {
                if (logs[i].emitter == address(book) && logs[i].topics[0] == POSITION_LIQUIDATED) {
                    (, int256 cash) = abi.decode(logs[i].data, (int256, int256));
                    closedCash += cash;
                }
            }
            _book(BOOKED_ENGINE_CASH, payoffs + closedCash, _engineCash(logs, PRODUCT_LIQUIDATED, who));
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

    // ---------------------------------------------------------------- helpers

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
