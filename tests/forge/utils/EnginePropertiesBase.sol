// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "./EngineFixture.sol";
import {Vm} from "./Vm.sol";

/// @title EnginePropertiesBase
/// @notice The bench core with a seeded Pool, a fourth asset LTT (10 USD, a long-tail collateral: haircuts 50 % initial,
/// 40 % maintenance, stress shock 50 %; listed in the Pool with a zero target weight), and two accounts:
/// - the victim (TRADER): 4 WETH and 500 LTT of collateral, 5 WETH long, 0.1 WBTC short, and a 2,000 USDC loan;
/// - the bystander (OTHER): 100,000 USDC of cash, 2 WETH long and 0.2 WBTC short, far from liquidation.
/// FRESH starts empty. The test contract holds every role (admin, risk manager, guardian) of every contract.
/// Helpers size trades and find prices with the engine's own views: the largest size `modifyPosition` accepts (found by
/// trial opens that are rolled back), and the feed price at which a health condition starts to hold (the oracle's
/// liquidation bounds mocked to that price while `liquidationHealth` is read).
abstract contract EnginePropertiesBase is EngineFixture {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant LTT_PRICE = 10e18;
    uint16 internal constant LTT_INITIAL_HAIRCUT_BPS = 5_000;

    address internal constant FRESH = address(0x5555);
    address internal constant STRANGER = address(0x6666);
    address internal constant OWN_KEEPER = address(0x7777);

    uint256 internal constant WETH_PERP = 0;
    uint256 internal constant WBTC_PERP = 1;

    MockERC20 internal ltt;

    /// @dev Thrown by the trial calls when the engine accepted the call (the revert rolls it back).
    error Accepted();

    function setUp() public virtual {
        _deploySeededBenchCore();
        ltt = _newAsset("LTT", 18, LTT_PRICE);
        pool.listAsset(address(ltt), IPoolTypes.AssetParams(0, 10_000, 0, 0, CAP));
        engine.listCollateral(
            address(ltt),
            IMarginEngineTypes.CollateralParams({
                initialHaircutBps: LTT_INITIAL_HAIRCUT_BPS,
                maintHaircutBps: 4_000,
                stressShockBps: 5_000,
                supplyCap: CAP
            })
        );
        _nextBlock();

        _deposit(TRADER, weth, 4e18);
        _deposit(TRADER, ltt, 500e18);
        _open(TRADER, WETH_PERP, 5e18);
        _open(TRADER, WBTC_PERP, -0.1e18);
        _withdraw(TRADER, usdc, 2_000e6);
        _deposit(OTHER, usdc, 100_000e6);
        _open(OTHER, WETH_PERP, 2e18);
        _open(OTHER, WBTC_PERP, -0.2e18);
        _nextBlock();
    }

    // ---------------------------------------------------------------- tokens and prices

    /// @dev The four assets in the Pool's listing order: USDC, WBTC, WETH, LTT.
    function _token(uint256 i) internal view returns (MockERC20) {
        return [usdc, wbtc, weth, ltt][i];
    }

    /// @dev The three collateral assets in the engine's listing order (bit i of the collateral mask).
    function _collateralToken(uint256 i) internal view returns (MockERC20) {
        return [wbtc, weth, ltt][i];
    }

    function _marketToken(uint256 market) internal view returns (MockERC20) {
        return market == WETH_PERP ? weth : wbtc;
    }

    /// @dev The starting WAD price of `token`.
    function _startPrice(MockERC20 token) internal view returns (uint256) {
        if (token == usdc) return 1e18;
        if (token == wbtc) return 60_000e18;
        if (token == weth) return 3_000e18;
        return LTT_PRICE;
    }

    /// @dev Units of `token` worth `usd` (whole dollars) at its starting price, rounded down.
    function _unitsFor(MockERC20 token, uint256 usd) internal view returns (uint256) {
        return usd * 1e18 * 10 ** token.decimals() / _startPrice(token);
    }

    /// @dev The lower and upper of {median, TWAP} of `token`.
    function _range(MockERC20 token) internal view returns (uint256 low, uint256 high) {
        (uint256 median, uint256 twap,,) = _priceData(address(token));
        (low, high) = median < twap ? (median, twap) : (twap, median);
    }

    /// @dev `pct` percent of `token`'s starting price, as a WAD price with the feed's 8 decimals.
    function _pctPrice(MockERC20 token, uint256 pct) internal view returns (uint256) {
        return _startPrice(token) / 1e10 * pct / 100 * 1e10;
    }

    /// @dev Set `token`'s feed to `wad` and update the oracle once, a block later: the median moves, the TWAP lags.
    function _tick(MockERC20 token, uint256 wad) internal {
        _nextBlock();
        _setFeed(address(token), wad);
        oracle.update(address(token));
    }

    /// @dev Put the oracle in a state: 0 every price Ok; 1 WETH and LTT Deviated (one update at 150 % and 50 %); 2 every
    /// price Stale (two hours without an update); 3 every asset Frozen by the guardian. Checks the statuses.
    function _trouble(uint256 state) internal {
        if (state == 1) {
            _tick(weth, _pctPrice(weth, 150));
            _tick(ltt, _pctPrice(ltt, 50));
        } else if (state == 2) {
            vm.warp(vm.getBlockTimestamp() + 2 hours);
            vm.roll(vm.getBlockNumber() + 1);
        } else if (state == 3) {
            for (uint256 i = 0; i < 4; ++i) {
                oracle.setFrozen(address(_token(i)), true);
            }
        }
        for (uint256 i = 0; i < 4; ++i) {
            MockERC20 token = _token(i);
            if (state == 1 && token != weth && token != ltt) continue;
            assertEq(uint256(oracle.status(address(token))), state, "oracle status");
        }
    }

    /// @dev Move `token`'s feed to `wad` and let every TWAP catch up (every status Ok, median == TWAP), then a block.
    function _move(address token, uint256 wad) internal {
        _setFeed(token, wad);
        _settlePrices();
        _nextBlock();
    }

    // ---------------------------------------------------------------- books

    /// @dev Everything the engine books for `account`: masks, collateral, cash and positions.
    function _books(address account) internal view returns (bytes32) {
        (uint16 collateralMask, uint16 marketMask) = engine.accountMasks(account);
        (uint256 credit, uint256 scaledDebt,) = engine.cash(account);
        return keccak256(
            abi.encode(
                collateralMask,
                marketMask,
                engine.collateralBalance(account, address(wbtc)),
                engine.collateralBalance(account, address(weth)),
                engine.collateralBalance(account, address(ltt)),
                credit,
                scaledDebt,
                engine.position(account, WETH_PERP),
                engine.position(account, WBTC_PERP)
            )
        );
    }

    function _healthHash(IMarginEngineTypes.Health memory h) internal pure returns (bytes32) {
        return keccak256(abi.encode(h));
    }

    function _scaledDebt(address account) internal view returns (uint256 scaled) {
        (, scaled,) = engine.cash(account);
    }

    function _isEmpty(address account) internal view returns (bool) {
        (uint16 collateralMask, uint16 marketMask) = engine.accountMasks(account);
        (uint256 credit, uint256 scaledDebt,) = engine.cash(account);
        return collateralMask == 0 && marketMask == 0 && credit == 0 && scaledDebt == 0;
    }

    /// @dev Maintenance equity less maintenance margin.
    function _surplus(IMarginEngineTypes.Health memory h) internal pure returns (int256) {
        return h.maintenanceEquity - int256(h.maintenanceMargin);
    }

    // ---------------------------------------------------------------- account math (ballast.risk roundings)

    function _divUp(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    /// @dev size * (price - entry) / WAD, rounded toward minus infinity.
    function _pnlDown(int256 size, uint256 entry, uint256 price) internal pure returns (int256) {
        uint256 magnitude =
            (size < 0 ? uint256(-size) : uint256(size)) * (price > entry ? price - entry : entry - price);
        bool gain = (size > 0) == (price >= entry);
        return gain ? int256(magnitude / WAD) : -int256(_divUp(magnitude, WAD));
    }

    /// @dev The borrow fee (USD, WAD) a position owes since `entryIndex`, rounded up.
    function _borrowFee(int256 size, uint256 entry, uint256 entryIndex, uint256 index) internal pure returns (uint256) {
        if (size == 0 || index <= entryIndex) return 0;
        uint256 notional = _divUp((size < 0 ? uint256(-size) : uint256(size)) * entry, WAD);
        return _divUp(notional * (index - entryIndex), entryIndex);
    }

    /// @dev What `account` is worth without haircuts (USD, WAD): collateral at the lower price (WETH at `wethPrice`
    /// when non-zero), credit less debt, and each position's PnL at the lower price less its borrow fee, each rounded
    /// down (`support.core.mark_value`).
    function _markValue(address account, uint256 wethPrice) internal view returns (int256 value) {
        uint256 index = pool.borrowIndex();
        for (uint256 i = 0; i < 3; ++i) {
            MockERC20 token = _collateralToken(i);
            value += int256(
                engine.collateralBalance(account, address(token)) * _lowOr(token, wethPrice) / 10 ** token.decimals()
            );
        }
        (uint256 credit, uint256 scaledDebt,) = engine.cash(account);
        value += int256(credit * 1e12) - int256(_divUp(scaledDebt * index, WAD) * 1e12);
        for (uint256 m = 0; m < 2; ++m) {
            IMarginEngineTypes.Position memory p = engine.position(account, m);
            value += _pnlDown(p.size, p.entryPrice, _lowOr(_marketToken(m), wethPrice));
            value -= int256(_borrowFee(p.size, p.entryPrice, p.entryIndex, index));
        }
    }

    function _lowOr(MockERC20 token, uint256 wethPrice) private view returns (uint256 low) {
        if (token == weth && wethPrice != 0) return wethPrice;
        (low,) = _range(token);
    }

    // ---------------------------------------------------------------- sizing with the engine's own checks

    /// @dev Open `size` in `market` for `account`, then roll everything back: reverts `Accepted` if the engine took it.
    function trialOpen(address account, uint256 market, int256 size) external {
        require(msg.sender == address(this), "self only");
        vm.prank(account);
        engine.modifyPosition(market, size, size > 0 ? type(uint256).max : 0);
        revert Accepted();
    }

    /// @dev Withdraw `amount` of `token` for `account`, then roll everything back: reverts `Accepted` if accepted.
    function trialWithdraw(address account, address token, uint256 amount) external {
        require(msg.sender == address(this), "self only");
        vm.prank(account);
        engine.withdraw(token, amount, account);
        revert Accepted();
    }

    function _accepted(bytes memory call) internal returns (bool) {
        (bool ok, bytes memory reason) = address(this).call(call);
        return !ok && reason.length == 4 && bytes4(reason) == Accepted.selector;
    }

    /// @dev The largest size (a multiple of the market's minimum size) `account` can open in `market` at the current
    /// prices: the engine's own initial-margin and stress checks, net of the trading fee.
    function _maxOpenSize(address account, uint256 market, bool long) internal returns (uint256) {
        uint256 step = engine.marketParams(market).minSize;
        int256 equity = engine.health(account).initialEquity;
        if (equity <= 0) return 0;
        (uint256 low,) = _range(_marketToken(market));
        // The initial margin is 10 % of the notional: no size beyond 11 times the initial equity fits.
        uint256 lo = 0;
        uint256 hi = uint256(equity) * 11 * WAD / low / step + 1;
        assertTrue(!_fitsOpen(account, market, long, hi * step), "the bracket's upper end does not fit");
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            (lo, hi) = _fitsOpen(account, market, long, mid * step) ? (mid, hi) : (lo, mid);
        }
        return lo * step;
    }

    function _fitsOpen(address account, uint256 market, bool long, uint256 size) private returns (bool) {
        int256 signed = long ? int256(size) : -int256(size);
        return _accepted(abi.encodeCall(this.trialOpen, (account, market, signed)));
    }

    /// @dev The largest amount of `token` (at most `cap`) `account` can withdraw now.
    function _maxWithdraw(address account, MockERC20 token, uint256 cap) internal returns (uint256 lo) {
        uint256 hi = cap + 1;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            (lo, hi) =
                _accepted(abi.encodeCall(this.trialWithdraw, (account, address(token), mid))) ? (mid, hi) : (lo, mid);
        }
    }

    /// @dev Round `size` down to a multiple of ten minimum sizes of `market`.
    function _roundSize(uint256 size, uint256 market) internal view returns (uint256) {
        uint256 step = uint256(engine.marketParams(market).minSize) * 10;
        return size / step * step;
    }

    // ---------------------------------------------------------------- prices where a health condition holds

    /// @dev `account`'s liquidation health with both of `token`'s liquidation bounds at the WAD price `wad`.
    function _liquidationHealthAt(address account, MockERC20 token, uint256 wad)
        internal
        returns (IMarginEngineTypes.Health memory h)
    {
        vm.mockCall(
            address(oracle),
            abi.encodeCall(oracle.priceBounds, (address(token), IOracleAggregator.Action.Liquidate)),
            abi.encode(wad, wad)
        );
        h = engine.liquidationHealth(account);
        vm.clearMockedCalls();
    }

    /// @dev Whether `account` is `depthBps` of the way from its maintenance margin down to zero maintenance equity, or
    /// deeper (depth 0: below the maintenance margin, that is liquidatable), with `token` at `wad`.
    function _deepEnough(address account, MockERC20 token, uint256 wad, uint256 depthBps) internal returns (bool) {
        IMarginEngineTypes.Health memory h = _liquidationHealthAt(account, token, wad);
        return h.maintenanceEquity * int256(BPS) < int256(h.maintenanceMargin * (BPS - depthBps));
    }

    /// @dev The feed price (WAD, 8 decimals) nearest `token`'s current price, below it (above it when `rising`, up to a
    /// hundredfold), from which on `account` is `depthBps` deep (`support.core.price_where`, on the engine's view).
    function _priceWhere(address account, MockERC20 token, uint256 depthBps, bool rising) internal returns (uint256) {
        (uint256 now_,) = _range(token);
        uint256 near = now_ / 1e10;
        uint256 far = rising ? near * 100 : 1;
        assertTrue(_deepEnough(account, token, far * 1e10, depthBps), "deep enough at the far end");
        assertTrue(!_deepEnough(account, token, near * 1e10, depthBps), "not deep enough now");
        while ((far > near ? far - near : near - far) > 1) {
            uint256 mid = (near + far) / 2;
            (near, far) = _deepEnough(account, token, mid * 1e10, depthBps) ? (near, mid) : (mid, far);
        }
        return far * 1e10;
    }

    // ---------------------------------------------------------------- liquidations

    /// @dev The victim and the bystander liquidated in one batch by KEEPER: the accounts the Liquidator skipped (its
    /// `Skipped` logs), in order.
    function _liquidateBothSkipped() internal returns (address[] memory skipped) {
        address[] memory both = new address[](2);
        (both[0], both[1]) = (TRADER, OTHER);
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidateMany(both);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        skipped = new address[](logs.length);
        uint256 n;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(liquidator) && logs[i].topics[0] == ILiquidator.Skipped.selector) {
                skipped[n++] = address(uint160(uint256(logs[i].topics[1])));
            }
        }
        assembly ("memory-safe") {
            mstore(skipped, n)
        }
    }
}
