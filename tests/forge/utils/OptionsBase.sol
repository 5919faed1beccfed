// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginProduct} from "../../../interfaces/IMarginProduct.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OptionsBook} from "../../../contracts/products/OptionsBook.sol";
import {BlackScholes} from "../../../contracts/libraries/BlackScholes.sol";
import {EngineFixture} from "./EngineFixture.sol";

/// @title OptionsBase
/// @notice The seeded bench core (EngineFixture: 1,000,000 USD of each of USDC, WBTC, WETH in the Pool; WETH at
/// 3,000, median = TWAP; USDC at exactly 1 USD, so 1 USDC unit is 1e12 USD WAD) with an OptionsBook listed as margin
/// product 0, WETH's implied volatility at 80 % and three WETH series expiring TENOR from the start: a call and a put
/// struck at 3,000 and a call struck at 3,600. The test contract is the book's admin and risk manager. TRADER and OTHER
/// trade through `MarginEngine.tradeProduct`. Expected figures are computed here from `BlackScholes` and plain
/// arithmetic, independently of the book's rounding helpers.
abstract contract OptionsBase is EngineFixture {
    uint256 internal constant USD = 1e18;
    /// @dev USD (WAD) per USDC unit.
    uint256 internal constant UNIT = 1e12;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant PRODUCT = 0;
    uint256 internal constant VOL = 0.8e18;
    /// @dev At most half the oracle's TWAP window (600 s): `listSeries` needs the ring to keep twice it.
    uint32 internal constant SETTLEMENT_WINDOW = 300;
    uint128 internal constant MAX_OPEN = 100e18;
    uint256 internal constant TENOR = 7 days;

    uint16 internal constant BASE_SPREAD_BPS = 50;
    uint16 internal constant SLOPE_BPS = 200;
    uint16 internal constant MAX_SPREAD_BPS = 500;
    uint32 internal constant MARGIN_SHOCK_BPS = 2_000;
    uint32 internal constant STRESS_SHOCK_BPS = 3_000;
    uint16 internal constant VOL_SHOCK_BPS = 2_500;
    uint16 internal constant MAINTENANCE_RATIO_BPS = 5_000;
    /// @dev A short's margin and stress losses are at least 1 % of its size at the upper price.
    uint16 internal constant SHORT_FLOOR_BPS = 100;

    OptionsBook internal book;
    /// @dev The series listed in setUp.
    uint256 internal callId;
    uint256 internal putId;
    uint256 internal otmCallId;
    uint256 internal expiry;

    function setUp() public virtual {
        _deploySeededBenchCore();
        _nextBlock();
        book = _newBook();
        engine.listMarginProduct(address(book));
        book.setImpliedVol(address(weth), VOL);
        expiry = vm.getBlockTimestamp() + TENOR;
        callId = _list(3_000e18, true);
        putId = _list(3_000e18, false);
        otmCallId = _list(3_600e18, true);
        vm.label(address(book), "options");
        _nextBlock();
    }

    // ---------------------------------------------------------------- deployment

    function _params() internal pure returns (IOptionsBookTypes.RiskParams memory) {
        return IOptionsBookTypes.RiskParams(
            BASE_SPREAD_BPS,
            SLOPE_BPS,
            MAX_SPREAD_BPS,
            MARGIN_SHOCK_BPS,
            STRESS_SHOCK_BPS,
            VOL_SHOCK_BPS,
            MAINTENANCE_RATIO_BPS,
            SHORT_FLOOR_BPS
        );
    }

    function _newBook() internal returns (OptionsBook) {
        return new OptionsBook(address(engine), address(this), address(this), _params(), SETTLEMENT_WINDOW);
    }

    /// @dev List a WETH series expiring at `expiry` (MAX_OPEN each side).
    function _list(uint256 strike, bool isCall) internal returns (uint256) {
        return book.listSeries(address(weth), strike, expiry, isCall, MAX_OPEN);
    }

    // ---------------------------------------------------------------- trading through the engine

    /// @dev `account` deposits `amount` USDC (credit in its cash).
    function _depositUsdc(address account, uint256 amount) internal {
        _deposit(account, usdc, amount);
    }

    function _action(uint256 seriesId, int256 delta, int256 limitUsd) internal pure returns (bytes memory) {
        return abi.encode(IOptionsBookTypes.Trade(seriesId, delta, limitUsd));
    }

    /// @dev `account` trades `delta` of `seriesId` with `limitUsd`; returns the trade's cash and spread.
    function _tradeLimit(address account, uint256 seriesId, int256 delta, int256 limitUsd)
        internal
        returns (int256 cashUsd, uint256 spreadBps)
    {
        vm.prank(account);
        bytes memory result = engine.tradeProduct(PRODUCT, _action(seriesId, delta, limitUsd));
        (cashUsd, spreadBps) = abi.decode(result, (int256, uint256));
    }

    /// @dev `account` trades `delta` with no limit (a buyer pays any premium, a seller takes any proceeds).
    function _trade(address account, uint256 seriesId, int256 delta) internal returns (int256 cashUsd) {
        (cashUsd,) = _tradeLimit(account, seriesId, delta, type(int256).min);
    }

    /// @dev `account` realizes its settled positions (an action with delta 0).
    function _realize(address account) internal {
        vm.prank(account);
        engine.tradeProduct(PRODUCT, _action(0, 0, 0));
    }

    // ---------------------------------------------------------------- prices and time

    /// @dev WETH's feed to `wad`, every price settled there (median = TWAP, status Ok), then the next block.
    function _moveWeth(uint256 wad) internal {
        _settleWethAt(wad);
    }

    /// @dev WETH's feed to `wad` and one oracle update (the TWAP lags: median != TWAP).
    function _moveWethOnce(uint256 wad) internal {
        _setFeed(address(weth), wad);
        oracle.update(address(weth));
    }

    /// @dev WETH at `price` from 1,300 s before expiry (every price settled there, the last update 98 s before
    /// expiry), every price updated again at expiry, then one block: the TWAP over the settlement window ending at
    /// expiry is `price`, and the oracle's ring holds it.
    function _expireAt(uint256 price) internal {
        vm.warp(expiry - 2 * TWAP_WINDOW - 100);
        _setFeed(address(weth), price);
        _settlePrices();
        vm.warp(expiry);
        _restampAndUpdate();
        _nextBlock();
    }

    /// @dev `_expireAt(price)` and settle `seriesId`.
    function _expireAndSettle(uint256 seriesId, uint256 price) internal returns (uint256) {
        _expireAt(price);
        return book.settle(seriesId);
    }

    /// @dev No oracle update for longer than the maximum price age: every price is Stale.
    function _makeStale() internal {
        vm.warp(vm.getBlockTimestamp() + MAX_PRICE_AGE + 1);
    }

    // ---------------------------------------------------------------- expected figures

    function _tau() internal view returns (uint256) {
        return expiry - vm.getBlockTimestamp();
    }

    function _ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    function _unitUp(bool isCall, uint256 spot, uint256 strike, uint256 sigma, uint256 tau)
        internal
        pure
        returns (uint256)
    {
        return isCall
            ? BlackScholes.callPriceUp(spot, strike, sigma, tau)
            : BlackScholes.putPriceUp(spot, strike, sigma, tau);
    }

    function _unitDown(bool isCall, uint256 spot, uint256 strike, uint256 sigma, uint256 tau)
        internal
        pure
        returns (uint256)
    {
        return isCall
            ? BlackScholes.callPriceDown(spot, strike, sigma, tau)
            : BlackScholes.putPriceDown(spot, strike, sigma, tau);
    }

    /// @dev The spread with the Pool's net exposure `net` on a MAX_OPEN series (rounded up, capped).
    function _spread(uint256 net) internal pure returns (uint256) {
        uint256 s = BASE_SPREAD_BPS + _ceilDiv(uint256(SLOPE_BPS) * net, MAX_OPEN);
        return s < MAX_SPREAD_BPS ? s : MAX_SPREAD_BPS;
    }

    /// @dev The premium (USD) of buying `size` of a series at `spot` with `spreadBps`: size * priceUp up, times
    /// (1 + spread) up.
    function _ask(bool isCall, uint256 strike, uint256 size, uint256 spot, uint256 spreadBps)
        internal
        view
        returns (uint256)
    {
        uint256 usd = _ceilDiv(size * _unitUp(isCall, spot, strike, VOL, _tau()), 1e18);
        return _ceilDiv(usd * (BPS + spreadBps), BPS);
    }

    /// @dev The proceeds (USD) of selling `size` at `spot` with `spreadBps`: size * priceDown down, times (1 - spread)
    /// down.
    function _bid(bool isCall, uint256 strike, uint256 size, uint256 spot, uint256 spreadBps)
        internal
        view
        returns (uint256)
    {
        return size * _unitDown(isCall, spot, strike, VOL, _tau()) / 1e18 * (BPS - spreadBps) / BPS;
    }

    /// @dev The payoff of one unit at `price`.
    function _payoff(bool isCall, uint256 price, uint256 strike) internal pure returns (uint256) {
        if (isCall) return price > strike ? price - strike : 0;
        return strike > price ? strike - price : 0;
    }

    // ---------------------------------------------------------------- assertions

    function _expectPriceUnavailable(address asset, IOracleAggregator.Action action, IOracleAggregator.Status status)
        internal
    {
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.PriceUnavailable.selector, asset, action, status));
    }

    function _expectRoleRevert(address caller, bytes32 role) internal {
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", caller, role));
    }

    function _expectParamOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max) internal {
        vm.expectRevert(
            abi.encodeWithSignature("ParamOutOfBounds(bytes32,uint256,uint256,uint256)", name, value, min, max)
        );
    }

    function _risk(address account, bool liquidation) internal view returns (IMarginProduct.AccountRisk memory) {
        return book.accountRisk(account, liquidation);
    }
}
