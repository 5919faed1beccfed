// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginProduct} from "../../../interfaces/IMarginProduct.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBook} from "../../../contracts/products/OptionsBook.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {OptionsHandler} from "./OptionsHandler.sol";

/// @title OptionsInvariantTest
/// @notice Stateful fuzzing of the OptionsBook as the engine's margin product 0 through `OptionsHandler.step`: trades,
/// WETH perps and collateral, WETH price moves, time (past expiries), settlement, realization, liquidation, new
/// listings, one-block round trips and always-allowed actions. The seeded bench core (EngineFixture) with its own book
/// (the parameters of tests/forge/utils/OptionsBase.sol plus a 1 % short floor; settlement window 300 s, half the
/// oracle's TWAP window). Checks the options invariants O1-O5 and, with options in play, the core invariants 1, 3,
/// 5, 6, 7, 8 and liveness L2 of docs/design.md#invariants. Runs and depth: `[invariant]` in foundry.toml.
contract OptionsInvariantTest is EngineFixture {
    uint32 internal constant SETTLEMENT_WINDOW = 300;
    uint256 internal constant VOL = 0.8e18;

    OptionsBook internal book;
    OptionsHandler internal handler;

    function setUp() public {
        _deploySeededBenchCore();
        _nextBlock();
        book = new OptionsBook(
            address(engine),
            address(this),
            address(this),
            IOptionsBookTypes.RiskParams(50, 200, 500, 2_000, 3_000, 2_500, 5_000, 100),
            SETTLEMENT_WINDOW
        );
        engine.listMarginProduct(address(book));
        book.setImpliedVol(address(weth), VOL);
        handler = new OptionsHandler(
            pool,
            engine,
            book,
            liquidator,
            oracle,
            [address(usdc), address(wbtc), address(weth)],
            [feedOf[address(usdc)], feedOf[address(wbtc)], feedOf[address(weth)]],
            3_000e18
        );
        book.grantRole(book.RISK_MANAGER_ROLE(), address(handler));
        handler.listInitial();

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = OptionsHandler.step.selector;
        targetSelector(address(handler), selectors);
    }

    /// @notice (a) Every realized settled position was paid its payout at the series' settlement price, to the unit:
    /// a long size * max(0, S - K) (call) or size * max(0, K - S) (put) rounded down, a short minus size * payoff
    /// rounded up; the payoff the handler computed before the call is the one the book paid; the engine booked exactly
    /// the book's cash (ProductTraded / ProductLiquidated: payoffs plus the trade's or the closes' cash) and, for a
    /// delta-0 action of an account without debt, moved its USDC credit by the payoffs (floor of a receipt, ceiling of
    /// a payment); one PositionSettled per settled series held. The settlement price lies within the WETH prices ever
    /// fed (a TWAP of medians of one feed).
    function invariant_PayoutIsIntrinsicAtSettlement() public view {
        uint256 n = handler.realizationCount();
        for (uint256 i = 0; i < n; ++i) {
            OptionsHandler.Realization memory r = handler.realization(i);
            IOptionsBookTypes.Series memory s = book.series(r.seriesId);
            assertTrue(s.settled, "realized before settlement");
            uint256 unit = s.isCall
                ? (s.settlementPrice > s.strike ? s.settlementPrice - s.strike : 0)
                : (s.strike > s.settlementPrice ? s.strike - s.settlementPrice : 0);
            int256 expected;
            if (r.size >= 0) {
                expected = int256(uint256(r.size) * unit / WAD);
            } else {
                uint256 owed = uint256(-r.size) * unit;
                expected = -int256(owed / WAD + (owed % WAD == 0 ? 0 : 1));
            }
            assertEq(r.payoff, expected, "payout is not the intrinsic value at the settlement price");
        }
        uint256 m = handler.bookingCount();
        for (uint256 i = 0; i < m; ++i) {
            OptionsHandler.Booking memory b = handler.booking(i);
            if (b.kind == handler.BOOKED_ENGINE_CASH()) assertEq(b.actual, b.expected, "engine cash != book cash");
            else if (b.kind == handler.BOOKED_CREDIT()) assertEq(b.actual, b.expected, "credit != payoffs in USDC");
            else if (b.kind == handler.BOOKED_COUNT()) assertEq(b.actual, b.expected, "event count");
            else assertEq(b.actual, b.expected, "payoff != the payout computed before the call");
        }
        assertEq(handler.unmatchedEvents(), 0, "a realization of a position the account did not hold");
        uint256 k = handler.settledCount();
        for (uint256 i = 0; i < k; ++i) {
            uint256 price = book.series(handler.settledIds(i)).settlementPrice;
            assertGe(price, handler.wethMin(), "settlement price below every WETH price fed");
            assertLe(price, handler.wethMax(), "settlement price above every WETH price fed");
        }
    }

    /// @notice (b) Each series' longOpen and shortOpen are the sums of the actors' long and short positions.
    function invariant_OpenInterestIsTheSumOfPositions() public view {
        uint256 count = book.seriesCount();
        for (uint256 id = 1; id <= count; ++id) {
            (uint256 longs, uint256 shorts) = (0, 0);
            for (uint256 i = 0; i < handler.N_ACTORS(); ++i) {
                int256 p = book.positionOf(handler.actor(i), id);
                if (p > 0) longs += uint256(p);
                else shorts += uint256(-p);
            }
            IOptionsBookTypes.Series memory s = book.series(id);
            assertEq(uint256(s.longOpen), longs, "longOpen != the actors' longs");
            assertEq(uint256(s.shortOpen), shorts, "shortOpen != the actors' shorts");
        }
    }

    /// @notice (c) `settledLongUsd` covers the payoffs owed to unrealized settled longs, `settledShortUsd` is at most
    /// what unrealized settled shorts owe. Bound: settle books ceil(longOpen * u) and floor(shortOpen * u) while each
    /// position is paid floor(l * u) or pays ceil(s * u); realizing moves both sides by the same payoff (a short's
    /// subtraction is clamped at 0, which only narrows the gap). So 0 <= settledLongUsd - owed <= the number of long
    /// positions open at the settlements, and 0 <= owed - settledShortUsd <= the number of short positions then (wei).
    function invariant_SettledAggregatesBoundWhatIsOwed() public view {
        (uint256 owedLong, uint256 owedShort) = (0, 0);
        for (uint256 i = 0; i < handler.N_ACTORS(); ++i) {
            address a = handler.actor(i);
            uint256[] memory ids = book.accountSeries(a);
            for (uint256 j = 0; j < ids.length; ++j) {
                IOptionsBookTypes.Series memory s = book.series(ids[j]);
                if (!s.settled) continue;
                int256 p = handler.payout(s.isCall, s.settlementPrice, s.strike, book.positionOf(a, ids[j]));
                if (p >= 0) owedLong += uint256(p);
                else owedShort += uint256(-p);
            }
        }
        uint256 settledLong = book.settledLongUsd();
        uint256 settledShort = book.settledShortUsd();
        assertGe(settledLong, owedLong, "settledLongUsd below the payoffs owed to settled longs");
        assertLe(settledLong - owedLong, handler.longHoldersAtSettlement(), "settledLongUsd: more than rounding over");
        assertLe(settledShort, owedShort, "settledShortUsd above what settled shorts owe");
        assertLe(
            owedShort - settledShort, handler.shortHoldersAtSettlement(), "settledShortUsd: more than rounding under"
        );
    }

    /// @notice (d) The views the engine needs for liveness never revert: `poolExposure(false)` and every actor's
    /// `accountRisk(actor, false)`, whatever the prices' status and time.
    function invariant_RiskViewsNeverRevert() public view {
        try book.poolExposure(false) returns (int256, int256, uint256, uint256) {}
        catch {
            assertTrue(false, "poolExposure(false) reverted");
        }
        for (uint256 i = 0; i < handler.N_ACTORS(); ++i) {
            try book.accountRisk(handler.actor(i), false) returns (IMarginProduct.AccountRisk memory) {}
            catch {
                assertTrue(false, "accountRisk(actor, false) reverted");
            }
        }
    }

    /// @notice (e) An actor holds at most MAX_ACCOUNT_SERIES series, each with a position (and every position is in
    /// its list); at most MAX_LIVE_SERIES series are live; no listing or trade went over either limit.
    function invariant_SeriesLimits() public view {
        assertLe(book.liveSeries().length, book.MAX_LIVE_SERIES(), "too many live series");
        uint256 count = book.seriesCount();
        for (uint256 i = 0; i < handler.N_ACTORS(); ++i) {
            address a = handler.actor(i);
            uint256[] memory ids = book.accountSeries(a);
            assertLe(ids.length, book.MAX_ACCOUNT_SERIES(), "an actor holds too many series");
            uint256 nonzero;
            for (uint256 id = 1; id <= count; ++id) {
                if (book.positionOf(a, id) != 0) ++nonzero;
            }
            assertEq(nonzero, ids.length, "accountSeries != the series with a position");
            for (uint256 j = 0; j < ids.length; ++j) {
                assertTrue(book.positionOf(a, ids[j]) != 0, "a held series without a position");
            }
        }
        assertEq(handler.overLimit(), 0, "a listing or a trade went over a series limit");
    }

    // ---------------------------------------------------------------- core invariants with options in play

    /// @notice (1) The engine's USDC covers the accounts' credit (the actors' and the keeper's) and its WBTC and WETH
    /// their collateral totals; the Pool holds at least its reserves; the Liquidator and the book keep no tokens; the
    /// InsuranceFund holds at least its booked balance.
    function invariant_BalancesCoverBooks() public view {
        _assertBalancesCoverBooks(handler.allAccounts(), address(book));
    }

    /// @notice (3) The accounts' scaled debts add up to the Pool's total scaled debt (the receivable), exactly. The
    /// actors and the keeper are the only engine accounts (the fixture's LP only holds Pool shares).
    function invariant_DebtsSumToReceivable() public view {
        uint256 scaled;
        address[] memory accounts = handler.allAccounts();
        for (uint256 k = 0; k < accounts.length; ++k) {
            (, uint256 s,) = engine.cash(accounts[k]);
            scaled += s;
        }
        assertEq(scaled, pool.totalScaledDebt(), "accounts' scaled debt != pool total scaled debt");
    }

    /// @notice The invariants the handler checks around its own actions (`OptionsHandler.broken`):
    /// - (5) a liquidation changes no other actor's cash, collateral, perp or options;
    /// - (6) after every liquidation the handler performed, the account holds no perp or option with negative
    /// maintenance equity, and with nothing left its equity is not negative either (the deficit was absorbed);
    /// - (8) adding WETH collateral and repaying always succeed, whatever the actor's health, positions and the
    /// prices; an actor with no debt, no perp and no option withdraws its whole credit and WETH.
    /// (7), one-block round trips in a series, has its own function (`invariant_RoundTripsNeverProfit`).
    function invariant_GhostChecksHold() public view {
        uint256[3] memory checks = [handler.OTHER_TOUCHED(), handler.NEGATIVE_EQUITY(), handler.EXIT_REFUSED()];
        string[3] memory names = [
            "(5) a liquidation touched another account",
            "(6) negative equity left after a liquidation",
            "(8) adding collateral, repaying or a flat account's withdrawal refused"
        ];
        for (uint256 i = 0; i < 3; ++i) {
            assertTrue(!handler.broken(checks[i]), string.concat(names[i], ": ", handler.brokenAt(checks[i])));
        }
    }

    /// @notice (L2) After every step, every actor liquidatable at usable prices is liquidated by a keeper holding no
    /// tokens (`Liquidator.liquidate` succeeds), with no Pool loan: probed and undone.
    function invariant_LiquidatableIsLiquidated() public view {
        uint256 check = handler.L2_LIQUIDATE();
        assertTrue(
            !handler.broken(check),
            string.concat("(L2) a liquidatable actor could not be liquidated: ", handler.brokenAt(check))
        );
    }

    /// @notice (7) One-block round trips in a series never return more than went in (`OptionsHandler._roundTrip`),
    /// whatever the gap between WETH's median and TWAP (test_roundTripInAPut__medianBelowTwap__returnsNoMoreThanItCost).
    function invariant_RoundTripsNeverProfit() public view {
        uint256 check = handler.ROUND_TRIP_PROFIT();
        assertTrue(
            !handler.broken(check),
            string.concat("(7) a round trip returned more than went in: ", handler.brokenAt(check))
        );
    }

    /// @notice WETH's feed moves -0.39 % and the oracle updates once (the median moves, the TWAP lags: low = median,
    /// high = TWAP); an actor buys 3.8 puts struck at 3,000 (series 2) and sells them back in the same block: the buy
    /// is priced at the low end (where a put is worth more), the sale at the high end (where it is worth less), so the
    /// round trip returns less than it cost (the spread, both ways).
    function test_roundTripInAPut__medianBelowTwap__returnsNoMoreThanItCost() public {
        address trader = handler.actor(1);
        assertTrue(!book.series(2).isCall, "series 2 is a put");
        _nextBlock();
        _setFeed(address(weth), 2_988.3e18);
        oracle.update(address(weth));
        _nextBlock();
        (uint256 credit0,, uint256 debt0) = engine.cash(trader);
        vm.startPrank(trader);
        bytes memory bought = engine.tradeProduct(0, abi.encode(IOptionsBookTypes.Trade(2, 3.8e18, type(int256).min)));
        bytes memory sold = engine.tradeProduct(0, abi.encode(IOptionsBookTypes.Trade(2, -3.8e18, type(int256).min)));
        vm.stopPrank();
        (int256 paid,) = abi.decode(bought, (int256, uint256));
        (int256 got,) = abi.decode(sold, (int256, uint256));
        emit log_named_int("premium paid (USD WAD)", paid);
        emit log_named_int("proceeds (USD WAD)", got);
        (uint256 credit1,, uint256 debt1) = engine.cash(trader);
        emit log_named_int(
            "cash change (USDC units)", int256(credit1) - int256(debt1) - int256(credit0) + int256(debt0)
        );
        assertTrue(paid + got < 0, "a one-block round trip in a put returned as much as it cost or more");
        assertTrue(
            int256(credit1) - int256(debt1) < int256(credit0) - int256(debt0), "the round trip cost the account cash"
        );
    }

    // ---------------------------------------------------------------- the handler's paths, directed

    /// @notice The liquidation path: the 5,000 USDC actor writes 4 calls struck at 3,000, WETH jumps 40 % and holds
    /// there (TWAP caught up): the keeper's liquidation through the Liquidator closes the short (below the critical
    /// health: all of it), the engine books the book's cash, and every invariant holds.
    function test_handler_liquidatesAnUnderwaterWriter() public {
        address writer = handler.actor(2);
        handler.step(0, 2, 1, 1021440000000000000001); // write 4 (c % 3 == 1, c >> 8 = 4e18 - 0.01e18)
        assertEq(book.positionOf(writer, 1), -4e18, "wrote 4 calls");
        handler.step(40, 30_000, 0, 0); // price: a % 3 == 0, factor 6,500 + 7,500 = 14,000 bps
        assertEq(handler.wethPrice(), 4_200e18, "WETH at 4,200");
        assertTrue(engine.liquidationHealth(writer).liquidatable, "liquidatable once the TWAP caught up");
        handler.step(90, 2, 0, 0); // liquidate
        assertEq(handler.liquidations(), 1, "one liquidation");
        assertEq(book.positionOf(writer, 1), 0, "the short closed");
        assertGt(handler.bookingCount(), 1, "the engine's cash compared");
        _checkAll();
    }

    /// @notice The settlement path: one actor buys 5 calls struck at 3,000, another writes 3; WETH moves +1.37 %; two
    /// hours and 11 minutes pass with the oracle updated every 10 minutes (the first series expires), it settles at the
    /// recorded TWAP, and each actor's delta-0 action realizes its payout: 5 * (S - K) and -3 * (S - K) (whole units:
    /// no rounding), the credit moved by it.
    function test_handler_settlesAndRealizesPayouts() public {
        (address buyer, address writer) = (handler.actor(0), handler.actor(2));
        handler.step(0, 0, 1, 1277440000000000000002); // buy 5 (c % 3 == 0)
        handler.step(0, 2, 1, 765440000000000000002); // write 3 (c % 3 == 1)
        assertEq(book.positionOf(buyer, 1), 5e18, "bought 5");
        assertEq(book.positionOf(writer, 1), -3e18, "wrote 3");
        handler.step(40, 1 + (8_250 << 2), 0, 0); // price: a % 3 == 1 (small), factor 9,700 + 8,250 % 601 = 10,137 bps
        handler.step(50, 7_080, 1, 540); // time: 60 + 7,080 s, updates every 600 s
        handler.step(50, 600, 1, 540); // and 660 s more
        assertGe(block.timestamp, book.series(1).expiry, "expired");
        handler.step(65, 0, 0, 0); // settle the first expired live series
        IOptionsBookTypes.Series memory s = book.series(1);
        assertTrue(s.settled, "settled");
        assertGt(s.settlementPrice, s.strike, "in the money");
        handler.step(75, 0, 0, 0); // realize: the buyer
        handler.step(75, 2, 0, 0); // realize: the writer
        assertEq(handler.realizationCount(), 2, "two realizations");
        assertEq(handler.creditChecks(), 2, "both credits checked");
        OptionsHandler.Realization memory r = handler.realization(0);
        assertEq(r.payoff, int256(5 * (s.settlementPrice - s.strike)), "5 calls");
        r = handler.realization(1);
        assertEq(r.payoff, -int256(3 * (s.settlementPrice - s.strike)), "3 calls written");
        assertEq(book.settledLongUsd(), 0, "nothing owed to longs");
        assertEq(book.settledShortUsd(), 0, "nothing owed by shorts");
        _checkAll();
    }

    /// @notice A liquidation closes a perp and options together: the 5,000 USDC actor writes 4 calls struck at 3,000
    /// and shorts about 1x its value of the WETH perp; WETH jumps 40 % and holds there; the L2 probe finds it
    /// liquidatable and the keeper's liquidation closes both (below the critical health: all of it), touches neither
    /// other actor and leaves no negative equity.
    function test_handler_liquidatesPerpAndOptionsTogether() public {
        address writer = handler.actor(2);
        handler.step(0, 2, 1, 1021440000000000000001); // write 4 calls of series 1
        handler.step(30, 2, 5, 9_000); // perp: b % 4 == 1 (open), (b >> 2) % 2 == 1 (short), 1x its value
        assertTrue(engine.position(writer, 0).size < 0, "short the perp");
        handler.step(40, 30_000, 0, 0); // price: large, actor 0 has no perp: factor 14,000 bps
        assertEq(handler.wethPrice(), 4_200e18, "WETH at 4,200");
        assertGt(handler.liquidationsProbed(), 0, "L2 probed the liquidatable writer");
        handler.step(90, 2, 0, 0); // liquidate
        assertEq(handler.liquidations(), 1, "one liquidation");
        assertEq(handler.mixedLiquidations(), 1, "of a perp and options together");
        assertEq(book.positionOf(writer, 1), 0, "the options closed");
        assertEq(int256(engine.position(writer, 0).size), 0, "the perp closed");
        assertEq(handler.checked(handler.NEGATIVE_EQUITY()), 1, "(6) checked");
        assertEq(handler.checked(handler.OTHER_TOUCHED()), 2, "(5) checked on both other actors");
        _checkAll();
    }

    /// @notice The always-allowed paths: the 100,000 USDC actor, with nothing open, withdraws its whole credit and
    /// deposits it again; after buying a call it adds WETH; it borrows and repays.
    function test_handler_alwaysAllowed() public {
        address who = handler.actor(0);
        handler.step(94, 0, 2, 0); // mode 2: flat, no debt: withdraw everything, deposit it again
        assertEq(handler.exitsTried(2), 1, "a flat exit");
        (uint256 credit,,) = engine.cash(who);
        assertEq(credit, 100_000e6, "the credit back");
        handler.step(0, 0, 1, 1277440000000000000002); // buy 5 calls of series 1
        handler.step(94, 0, 0, 1e18); // mode 0: add WETH
        assertEq(handler.exitsTried(0), 1, "collateral added");
        assertGt(engine.collateralBalance(who, address(weth)), 0, "WETH posted");
        handler.step(94, 0, 1, 11_990); // mode 1: borrows 100 USDC beyond its credit, then repays 120 % of it
        assertEq(handler.exitsTried(1), 1, "a repayment");
        (, uint256 scaledDebt,) = engine.cash(who);
        assertEq(scaledDebt, 0, "repaid");
        _checkAll();
    }

    /// @notice The round-trip path at settled prices (median = TWAP): the 100,000 USDC actor buys 1.01 calls of
    /// series 1 and sells them back in one block; the spread costs it, the position is back at 0, and check (7) holds.
    function test_handler_roundTripAtSettledPrices() public {
        address who = handler.actor(0);
        (uint256 credit,,) = engine.cash(who);
        handler.step(82, 0, 1, 1e18 << 8); // round trip: mode 0 (buy then sell), 1.01 units, the first live series
        assertEq(handler.roundTrips(0), 1, "one buy-then-sell");
        assertEq(handler.checked(handler.ROUND_TRIP_PROFIT()), 1, "(7) checked");
        assertTrue(!handler.broken(handler.ROUND_TRIP_PROFIT()), "(7) holds at settled prices");
        assertEq(book.positionOf(who, 1), 0, "flat again");
        (uint256 after_,,) = engine.cash(who);
        assertLt(after_, credit, "the spread was paid");
        _checkAll();
    }

    function _checkAll() internal view {
        invariant_PayoutIsIntrinsicAtSettlement();
        invariant_OpenInterestIsTheSumOfPositions();
        invariant_SettledAggregatesBoundWhatIsOwed();
        invariant_RiskViewsNeverRevert();
        invariant_SeriesLimits();
        invariant_BalancesCoverBooks();
        invariant_DebtsSumToReceivable();
        invariant_GhostChecksHold();
        invariant_LiquidatableIsLiquidated();
    }

    /// @notice How much of the state space a campaign reached (printed with -vv).
    function afterInvariant() public {
        string[11] memory names = [
            "trade",
            "price",
            "time",
            "settle",
            "realize",
            "liquidate",
            "list",
            "perp",
            "collateral",
            "round trip",
            "always allowed"
        ];
        for (uint256 i = 0; i < 11; ++i) {
            emit log_named_uint(string.concat(names[i], " picked"), handler.picked(i));
            emit log_named_uint(string.concat(names[i], " succeeded"), handler.succeeded(i));
        }
        emit log_named_uint("series listed", book.seriesCount());
        emit log_named_uint("series settled", handler.settledCount());
        emit log_named_uint("realizations", handler.realizationCount());
        emit log_named_uint("credit checks", handler.creditChecks());
        emit log_named_uint("liquidatable seen", handler.liquidatableSeen());
        emit log_named_uint("liquidations", handler.liquidations());
        emit log_named_uint("fifth series refused", handler.tooManySeriesRefused());
        emit log_named_uint("listings refused (full)", handler.listingsRefusedFull());
        emit log_named_uint("trades refused", handler.tradeRevertCount());
        emit log_named_uint("liquidations of a perp and options together", handler.mixedLiquidations());
        emit log_named_uint("health unread after a liquidation", handler.unreadAfterLiquidation());
        emit log_named_uint("round trips buy/sell", handler.roundTrips(0));
        emit log_named_uint("round trips write/buy back", handler.roundTrips(1));
        emit log_named_uint("round trips with a refused second leg", handler.roundTripsIncomplete());
        emit log_named_uint("always allowed: add collateral", handler.exitsTried(0));
        emit log_named_uint("always allowed: repay", handler.exitsTried(1));
        emit log_named_uint("always allowed: flat withdrawal", handler.exitsTried(2));
        emit log_named_uint("L2 probes", handler.liquidationsProbed());
        string[5] memory checks = ["other touched", "negative equity", "round trip", "exits", "L2"];
        for (uint256 i = 0; i < 5; ++i) {
            emit log_named_uint(string.concat("checked: ", checks[i]), handler.checked(i));
        }
    }
}
