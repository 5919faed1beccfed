// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsPayoutTest
/// @notice The payout property: an option's payout at expiry is max(0, S - K) for a call, max(0, K - S) for a put, at
/// the settlement price S, to the unit. A long's realized cash is size x payoff rounded down, a short's minus size x
/// payoff rounded up (the book's rounding, towards the Pool), and the engine books exactly that in the account's cash:
/// USDC at 1 USD, 1 unit = 1e12 USD WAD, a receipt rounded down and a payment rounded up (fixture: OptionsBase).
contract OptionsPayoutTest is OptionsBase {
    /// @notice For a fuzzed type, strike (in the listing band at 3,000), size and settlement price (feed precision,
    /// 1 to 20,000 USD), TRADER long and OTHER short the same size realize exactly the payoff in USD and in USDC.
    function testFuzz_payout__atExpiry__equalsIntrinsicToTheUnit(
        bool isCall,
        uint256 strikeSeed,
        uint256 sizeSeed,
        uint256 priceSeed
    ) public {
        uint256 strike = bound(strikeSeed, 750e18, 12_000e18);
        uint256 size = bound(sizeSeed, 1, 10e18);
        // The feeds have 8 decimals: a settlement price the oracle holds exactly.
        uint256 price = bound(priceSeed, 1e8, 20_000e8) * 1e10;
        expiry += 1 days; // a series of its own
        uint256 id = _list(strike, isCall);
        _depositUsdc(TRADER, 1_000_000e6);
        _depositUsdc(OTHER, 1_000_000e6);
        _trade(TRADER, id, int256(size));
        _trade(OTHER, id, -int256(size));

        assertEq(_expireAndSettle(id, price), price, "settled at the price held through the window");
        uint256 unit = isCall ? (price > strike ? price - strike : 0) : (strike > price ? strike - price : 0);
        uint256 longUsd = size * unit / 1e18;
        uint256 shortUsd = _ceilDiv(size * unit, 1e18);
        assertEq(book.settledLongUsd(), shortUsd, "the aggregate of longs is rounded up");
        assertEq(book.settledShortUsd(), longUsd, "the aggregate of shorts is rounded down");

        uint256 credit = _credit(TRADER);
        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.PositionSettled(id, TRADER, int256(size), int256(longUsd));
        _realize(TRADER);
        assertEq(_credit(TRADER), credit + longUsd / UNIT, "the long's payoff, USDC down");

        credit = _credit(OTHER);
        vm.expectEmit(true, true, false, true, address(book));
        emit IOptionsBookTypes.PositionSettled(id, OTHER, -int256(size), -int256(shortUsd));
        _realize(OTHER);
        assertEq(_credit(OTHER), credit - _ceilDiv(shortUsd, UNIT), "the short's payoff, USDC up");
        // The aggregates were rounded against the Pool: at most the rounding's wei stays booked as owed to longs.
        assertEq(book.settledLongUsd(), shortUsd - longUsd, "the rounding's dust");
        assertEq(book.settledShortUsd(), 0, "nothing owed by shorts");
    }
}
