// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineAdmin, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {AccountMath} from "../../../contracts/libraries/AccountMath.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {PositionPacking} from "../../../contracts/libraries/PositionPacking.sol";
import {PriceRange} from "../../../contracts/libraries/PriceRange.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineStorageBase} from "../utils/EngineStorageBase.sol";

interface IEngineExtensionAddress {
    function extension() external view returns (address);
}

/// @title MarginEnginePositionAggregatesTest
/// @notice One-word positions (PositionPacking, the WIDE fallback) and open-interest caps that bound growth only. Every scenario checks the market aggregates (slots of `_marketStates`) against the positions
/// the engine reads back, so a figure removed differently from how it was added would show.
contract MarginEnginePositionAggregatesTest is EngineStorageBase {
    using FixedPointMath for uint256;

    uint256 internal constant WBTC_MARKET = 1;
    address internal constant CARL = address(0x5555);

    function setUp() public override {
        super.setUp();
        _deposit(TRADER, usdc, 5_000_000e6);
        _deposit(OTHER, usdc, 5_000_000e6);
        _nextBlock();
    }

    // ---------------------------------------------------------------- helpers

    function _accounts() internal pure returns (address[3] memory) {
        return [TRADER, OTHER, CARL];
    }

    // ---------------------------------------------------------------- packing

    /// @notice Packed -> WIDE (entry price) -> flipped to packed (a stale `_widePositions` entry left behind) -> WIDE
    /// again (entry index beyond the word) -> flipped while WIDE -> closed: after every step the view is what the trade
    /// computed and the aggregates are exactly the sums of the positions read back; with everything closed, every
    /// aggregate (feeBase and feeScaled included) is zero and every word is zero.
    function test_modifyPosition__wideAndPackedTransitions__aggregatesAlwaysMatchPositions() public {
        address[3] memory all = _accounts();
        _move(address(wbtc), 1_000_000e18);
        _open(TRADER, WBTC_MARKET, 1e16);
        _open(OTHER, WBTC_MARKET, -2e16);
        assertTrue(!_isWide(TRADER, WBTC_MARKET) && _word(TRADER, WBTC_MARKET) != 0, "packed long");
        _assertAggregates(WBTC_MARKET, all, "opened packed");

        _setBorrowIndex(1.5e18);
        _move(address(wbtc), 2_000_000e18);
        _open(TRADER, WBTC_MARKET, 1e16); // entry 1,500,000: beyond 2^80 wei
        assertTrue(_isWide(TRADER, WBTC_MARKET), "wide by entry price");
        assertEq(uint256(engine.position(TRADER, WBTC_MARKET).entryPrice), 1_500_000e18, "wide entry exact");
        _assertAggregates(WBTC_MARKET, all, "wide long");

        _move(address(wbtc), 1_000_000e18);
        _open(TRADER, WBTC_MARKET, -3e16); // flip to a 1e16 short at 1,000,000: packed again
        assertTrue(!_isWide(TRADER, WBTC_MARKET), "packed after the flip");
        IMarginEngineTypes.Position memory p = engine.position(TRADER, WBTC_MARKET);
        assertEq(int256(p.size), -1e16, "the short, sign intact");
        assertEq(uint256(p.entryPrice), 1_000_000e18, "the flip's price, not the stale wide entry");
        _assertAggregates(WBTC_MARKET, all, "flipped packed");

        _open(OTHER, WBTC_MARKET, 2e16);
        assertEq(_word(OTHER, WBTC_MARKET), 0, "closed: zero word");
        _assertAggregates(WBTC_MARKET, all, "other closed");

        _setBorrowIndex(25e18); // beyond the 64-bit index field
        _open(TRADER, WBTC_MARKET, -1e16);
        assertTrue(_isWide(TRADER, WBTC_MARKET), "wide by entry index");
        assertEq(engine.position(TRADER, WBTC_MARKET).entryIndex, 25e18, "wide index exact");
        _assertAggregates(WBTC_MARKET, all, "wide short");

        _move(address(wbtc), 1_100_000e18);
        _open(TRADER, WBTC_MARKET, 4e16); // flip while wide: a 2e16 long, still wide by index
        p = engine.position(TRADER, WBTC_MARKET);
        assertEq(int256(p.size), 2e16, "flipped long");
        assertEq(uint256(p.entryPrice), 1_100_000e18, "the flip's price");
        assertTrue(_isWide(TRADER, WBTC_MARKET), "still wide");
        _assertAggregates(WBTC_MARKET, all, "wide flipped");

        _open(TRADER, WBTC_MARKET, -2e16);
        assertEq(_word(TRADER, WBTC_MARKET), 0, "closed from wide: zero word");
        _assertAggregates(WBTC_MARKET, all, "all closed");
        AccountMath.MarketState memory s = _state(WBTC_MARKET);
        assertEq(uint256(s.feeBase) + s.feeScaled + s.longEntryNotional + s.shortEntryNotional, 0, "no residue");
    }

    /// @notice Any sequence of trades by two accounts at prices on both sides of the 2^80-wei entry limit, with the
    /// borrow index stepping past its 64-bit field: whatever goes through, the aggregates are the sums of the positions
    /// read back, and closing everything leaves no residue in any aggregate.
    function testFuzz_modifyPosition__anyTradeSequence__aggregatesMatchAndCloseToZero(
        uint256[6] memory deltas,
        uint256[6] memory prices,
        uint256[6] memory indexSteps
    ) public {
        _deposit(TRADER, usdc, 50_000_000e6);
        _deposit(OTHER, usdc, 50_000_000e6);
        address[3] memory all = _accounts();
        uint256[3] memory grid = [uint256(900_000e18), 1_250_000e18, 2_000_000e18];
        uint256 index = 1e18;
        for (uint256 k = 0; k < 6; ++k) {
            index += bound(indexSteps[k], 0, 6e18);
            _setBorrowIndex(index);
            _move(address(wbtc), grid[prices[k] % 3]);
            int256 magnitude = int256(bound(deltas[k] >> 2, 1e14, 5e16));
            int256 delta = deltas[k] & 1 == 0 ? magnitude : -magnitude;
            address account = deltas[k] & 2 == 0 ? TRADER : OTHER;
            vm.prank(account);
            (bool ok,) = address(engine)
                .call(abi.encodeCall(engine.modifyPosition, (WBTC_MARKET, delta, delta > 0 ? type(uint256).max : 0)));
            // Only a dust remainder is refused (it changes nothing); an opening trade always goes through.
            if (k == 0) assertTrue(ok, "the first trade opens");
            _assertAggregates(WBTC_MARKET, all, "after a trade");
            index = pool.borrowIndex();
        }
        for (uint256 i = 0; i < 2; ++i) {
            int256 size = engine.position(all[i], WBTC_MARKET).size;
            if (size != 0) _open(all[i], WBTC_MARKET, -size);
            assertEq(_word(all[i], WBTC_MARKET), 0, "closed: zero word");
        }
        AccountMath.MarketState memory s = _state(WBTC_MARKET);
        assertEq(
            uint256(s.longSize) + s.shortSize + s.longEntryNotional + s.shortEntryNotional + s.feeBase + s.feeScaled,
            0,
            "no residue"
        );
    }

    /// @notice The int112 size field at its limits end to end (a market on a 1e-8 USD asset, caps opened wide): a
    /// short of exactly -2^111 packs and reads back negative, a short one unit beyond goes WIDE, a long of 2^111 - 1
    /// packs; each reduces and closes, and the aggregates follow the positions exactly.
    function test_modifyPosition__int112SizeLimits__signKeptAndWideBeyond() public {
        _seedPool(100_000_000e18);
        MockERC20 dust = _newAsset("DUST", 18, 1e10); // 1e-8 USD a unit
        uint256 market = _listMarket(address(dust), 1);
        IMarginEngineTypes.MarketParams memory mp = _market(market);
        (mp.longOpenInterestCap, mp.shortOpenInterestCap) = (type(uint128).max, type(uint128).max);
        engine.setMarketParams(market, mp);
        _deposit(CARL, usdc, 50_000_000e6);
        _deposit(TRADER, usdc, 45_000_000e6);
        _deposit(OTHER, usdc, 45_000_000e6);
        _nextBlock();
        address[3] memory all = _accounts();
        int256 limit = int256(type(int112).max);

        _open(TRADER, market, -limit - 1);
        assertTrue(!_isWide(TRADER, market), "int112 min packs");
        assertEq(int256(engine.position(TRADER, market).size), -limit - 1, "read back negative, exact");
        _open(OTHER, market, -limit - 2);
        assertTrue(_isWide(OTHER, market), "one beyond int112 goes wide");
        assertEq(int256(engine.position(OTHER, market).size), -limit - 2, "wide size exact");
        _open(CARL, market, limit);
        assertTrue(!_isWide(CARL, market), "int112 max packs");
        assertEq(int256(engine.position(CARL, market).size), limit, "read back positive, exact");
        _assertAggregates(market, all, "at the limits");

        _open(TRADER, market, limit / 2);
        _open(OTHER, market, 1);
        assertTrue(!_isWide(OTHER, market), "back inside int112: packed");
        _open(CARL, market, -(limit / 3));
        _assertAggregates(market, all, "reduced");

        _open(TRADER, market, -engine.position(TRADER, market).size);
        _open(OTHER, market, -engine.position(OTHER, market).size);
        _open(CARL, market, -engine.position(CARL, market).size);
        _assertAggregates(market, all, "closed");
        AccountMath.MarketState memory s = _state(market);
        assertEq(uint256(s.longSize) + s.shortSize + s.feeBase + s.feeScaled, 0, "no residue");
    }

    /// @notice A position WIDE by its entry index, liquidated in part then in full: the close reads the whole figures,
    /// the rest keeps its entry with the liquidation's index, and the aggregates match at each step.
    function test_liquidate__positionWideByIndex__aggregatesMatch() public {
        _withdraw(TRADER, usdc, 5_000_000e6 - 13_000e6);
        _nextBlock();
        _setBorrowIndex(30e18);
        _open(TRADER, 0, 20e18); // 60,000 USD of WETH on 13,000 USDC
        assertTrue(_isWide(TRADER, 0), "wide by index");
        _move(address(weth), 2_450e18);
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "liquidatable");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        IMarginEngineTypes.Position memory p = engine.position(TRADER, 0);
        assertTrue(p.size > 0 && p.size < 20e18, "partly closed");
        assertEq(uint256(p.entryPrice), 3_000e18, "keeps its entry");
        assertEq(p.entryIndex, pool.borrowIndex(), "the liquidation's index");
        _assertAggregates(0, _accounts(), "after a partial liquidation");
        _move(address(weth), 2_000e18);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(_word(TRADER, 0), 0, "closed: zero word");
        _assertAggregates(0, _accounts(), "after the full close");
    }

    // ---------------------------------------------------------------- open-interest caps

    function _capExceeded(uint256 openInterest, uint256 cap) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, openInterest, cap);
    }

    /// @notice A short flipping to a long needs room on the long side (and the reverse): the growth of a flip is never
    /// unchecked, whichever direction; a flip that fits its new side goes through with the old side over its cap.
    function test_openInterestCaps__flipShortToLong__checkedOnTheLongSide() public {
        _open(TRADER, 0, 5e18);
        _open(OTHER, 0, -3e18);
        _setCaps(0, 5e18, 1e18); // long side full, short side over its cap
        vm.expectRevert(_capExceeded(5e18 + 1e18, 5e18));
        _open(OTHER, 0, 4e18); // flip to a 1e18 long: the long side would be 6e18
        vm.expectRevert(_capExceeded(5e18 + 1e16, 5e18));
        _open(OTHER, 0, 3e18 + 1e16);
        _open(TRADER, 0, -1e18); // room on the long side
        _open(OTHER, 0, 4e18); // the short side shrinks from over its cap; the long side grows to its cap
        assertEq(int256(engine.position(OTHER, 0).size), 1e18, "flipped within the long cap");
        _assertAggregates(0, _accounts(), "after the flip");
        vm.expectRevert(_capExceeded(2e18, 1e18));
        _open(TRADER, 0, -6e18); // long 4e18 flipping to a 2e18 short: short side cap 1e18
    }

    /// @notice Caps lowered to 1 wei below a crash: the Liquidator closes a long on the side far above its cap, and the
    /// side only shrinks (a liquidation never grows a side).
    function test_openInterestCaps__lowered__liquidationOfTheSideAboveItsCapGoesThrough() public {
        _withdraw(TRADER, usdc, 5_000_000e6 - 13_000e6);
        _nextBlock();
        _open(TRADER, 0, 20e18);
        _setCaps(0, 1, 1);
        _move(address(weth), 2_450e18);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertTrue(engine.position(TRADER, 0).size < 20e18, "closed in part, above the cap");
        _assertAggregates(0, _accounts(), "after the liquidation");
        vm.expectRevert(_capExceeded(uint256(_state(0).longSize) + 1e18, 1));
        _open(TRADER, 0, 1e18); // growing it still reverts
    }

    // ---------------------------------------------------------------- the moved Liquidator-only functions

    /// @notice absorbCollateral and payKeeperInCollateral, now in the extension: a stranger reverts Unauthorized both
    /// through the engine and on the extension itself; the Liquidator's address calling the extension directly runs on
    /// the extension's own (empty) storage: it moves nothing and the engine's books do not change.
    function test_absorbEntryPoints__extensionCalledDirectly__unauthorizedOrHarmless() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        address extension = IEngineExtensionAddress(address(engine)).extension();
        IMarginEngineAdmin ext = IMarginEngineAdmin(extension);
        PriceRange.Range memory settlement = PriceRange.Range(1e18, 1e18);
        bytes memory unauthorized = abi.encodeWithSignature("Unauthorized(address)", OTHER);

        vm.prank(OTHER);
        vm.expectRevert(unauthorized);
        engine.absorbCollateral(TRADER, type(uint256).max);
        vm.prank(OTHER);
        vm.expectRevert(unauthorized);
        ext.absorbCollateral(TRADER, type(uint256).max);
        vm.prank(OTHER);
        vm.expectRevert(unauthorized);
        engine.payKeeperInCollateral(TRADER, OTHER, 1e6, settlement);
        vm.prank(OTHER);
        vm.expectRevert(unauthorized);
        ext.payKeeperInCollateral(TRADER, OTHER, 1e6, settlement);

        uint256 reserve = weth.balanceOf(address(pool));
        vm.prank(address(liquidator));
        assertEq(ext.absorbCollateral(TRADER, type(uint256).max), 0, "nothing on the extension's own storage");
        vm.prank(address(liquidator));
        assertEq(ext.payKeeperInCollateral(TRADER, KEEPER, 1e6, settlement), 0, "nothing paid");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 10e18, "the engine's books untouched");
        assertEq(engine.collateralBalance(KEEPER, address(weth)), 0, "no keeper credit");
        assertEq(weth.balanceOf(address(pool)), reserve, "no token moved");

        vm.prank(address(liquidator));
        assertEq(engine.absorbCollateral(TRADER, 3_000e18), 3_000e18, "through the engine: seized");
        assertTrue(engine.collateralBalance(TRADER, address(weth)) < 10e18, "from the engine's books");
    }
}
