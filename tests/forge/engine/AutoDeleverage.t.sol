// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {EngineStorageBase} from "../utils/EngineStorageBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineAutoDeleverageTest
/// @notice MarginEngine unit tests of auto-deleveraging and its state. The Pool holds 300,000 USDC only, so traders'
/// profits are not hedged by its reserves: TRADER is long 40 WETH from 3,000, CARL long 1 WETH from 3,300, OTHER short
/// 0.5 WBTC from 60,000; then WETH goes to 8,000 and WBTC to 30,000 and ADL is active.
contract MarginEngineAutoDeleverageTest is EngineStorageBase {
    using FixedPointMath for uint256;

    address internal constant CARL = address(0x5555);

    function setUp() public override {
        _deployBenchCore();
        _lpDeposit(LP, usdc, 300_000e6);
        _nextBlock();
        _deposit(TRADER, weth, 100e18);
        _deposit(OTHER, weth, 100e18);
        _deposit(CARL, weth, 100e18);
        _open(TRADER, 0, 40e18);
        _open(OTHER, 1, -0.5e18);
        _move(address(weth), 3_300e18);
    }

    function _activate() internal {
        _open(CARL, 0, 1e18);
        _move(address(weth), 8_000e18);
        _move(address(wbtc), 30_000e18);
    }

    /// @notice Auto-deleveraging the profitable long while the caps are below the open interest: it goes through and
    /// only shrinks the long side, whose aggregates stay the sums of the positions read back.
    function test_autoDeleverage__capsLoweredBelowOpenInterest__goesThroughAndOnlyShrinks() public {
        _activate();
        _setCaps(0, 1, 1);
        (,, bool active,) = engine.adlState();
        assertTrue(active, "ADL active");
        uint256 longBefore = _state(0).longSize;
        vm.prank(KEEPER);
        int256 delta = engine.autoDeleverage(TRADER, 0);
        assertTrue(delta < 0, "a reduction");
        assertEq(uint256(_state(0).longSize), longBefore - uint256(-delta), "the long side only shrinks");
        _assertAggregates(0, [TRADER, OTHER, CARL], "after ADL");
    }

    /// @dev A keeper's `autoDeleverage(account, 0)` at WETH 8,000 reverts NotAdlCandidate with the account's entry and
    /// its side's average entry.
    function _expectNotCandidate(address account, uint256 entry, uint256 average) internal {
        vm.expectRevert(
            abi.encodeWithSignature(
                "NotAdlCandidate(address,uint256,uint256,uint256,uint256)", account, 0, entry, average, 8_000e18
            )
        );
        vm.prank(KEEPER);
        engine.autoDeleverage(account, 0);
    }

    /// @notice Traders in profit below the threshold: ADL is off, no excess, and the value is the Pool's NAV plus the
    /// PnL; `autoDeleverage` reverts AdlNotActive with the figures (the value is the Pool's reserves and receivables,
    /// never negative).
    function test_autoDeleverage__belowThreshold__reverts() public {
        (int256 pnl, uint256 value, bool active, uint256 excess) = engine.adlState();
        assertTrue(pnl > 0, "traders in profit");
        assertEq(value, uint256(pool.nav(false) + pnl), "NAV plus PnL");
        assertTrue(!active, "below the threshold");
        assertEq(excess, 0, "no excess");
        vm.expectRevert(abi.encodeWithSignature("AdlNotActive(int256,uint256,uint256)", pnl, value, 5_000));
        vm.prank(KEEPER);
        engine.autoDeleverage(TRADER, 0);
    }

    /// @notice Active: TRADER's long (entry 3,000 at or below the side's average) is cut by what realizes the excess at
    /// 5,000 a unit, rounded up, and keeps the rest.
    function test_autoDeleverage__profitableLong__closesTheExcess() public {
        _activate();
        (,, bool active, uint256 excess) = engine.adlState();
        assertTrue(active, "active");
        uint256 closing = excess.mulDivUp(1e18, 5_000e18);
        assertTrue(closing != 0 && closing + 1e16 < 40e18, "a partial cut");
        vm.prank(KEEPER);
        int256 delta = engine.autoDeleverage(TRADER, 0);
        assertEq(delta, -int256(closing), "delta");
        assertEq(int256(engine.position(TRADER, 0).size), 40e18 - int256(closing), "the rest stays");
    }

    /// @notice Active: OTHER's short would need more than its size to realize the excess, so all of it is bought back.
    function test_autoDeleverage__profitableShort__closesAll() public {
        _activate();
        (,,, uint256 excess) = engine.adlState();
        assertTrue(excess.mulDivUp(1e18, 30_000e18) > 0.5e18, "more than the position");
        vm.prank(KEEPER);
        int256 delta = engine.autoDeleverage(OTHER, 1);
        assertEq(delta, 0.5e18, "bought back");
        assertEq(int256(engine.position(OTHER, 1).size), 0, "closed");
    }

    /// @notice CARL's entry (3,300) is above the longs' average entry: not a candidate.
    function test_autoDeleverage__entryAboveAverage__reverts() public {
        _activate();
        uint256 average = uint256(123_300e18).mulDivDown(1e18, 41e18);
        _expectNotCandidate(CARL, 3_300e18, average);
    }

    /// @notice No position in a market without shorts: not a candidate, the short side's average reads as zero.
    function test_autoDeleverage__noPosition__reverts() public {
        _activate();
        _expectNotCandidate(OTHER, 0, 0);
    }

    /// @notice A short in a rally is on the losing side: not a candidate, whatever its entry (the short side's
    /// average is its own entry, 3,300, under the price).
    function test_autoDeleverage__losingSide__reverts() public {
        address dave = address(0x6666);
        _deposit(dave, weth, 100e18);
        _open(dave, 0, -1e18);
        _activate();
        (,, bool active,) = engine.adlState();
        assertTrue(active, "active");
        _expectNotCandidate(dave, 3_300e18, 3_300e18);
    }

    /// @notice The value ADL measures against is never negative: once the provisioned losses exceed the Pool's
    /// reserves (OTHER's short of 0.5 WBTC from 60,000 with WBTC at 1,500,000, a shortfall above the 300,000 USDC)
    /// the lower NAV plus the PnL is below zero and the value is zero, not a wrapped-around figure.
    function test_adlState__provisionsAboveTheReserves__valueIsZero() public {
        _move(address(wbtc), 1_500_000e18);
        address[] memory accounts = new address[](1);
        accounts[0] = OTHER;
        vm.prank(KEEPER);
        engine.provision(accounts);
        (int256 pnl, uint256 value,,) = engine.adlState();
        assertTrue(pool.nav(false) + pnl < 0, "the provisions exceed the reserves");
        assertEq(value, 0, "zero, never negative");
    }

    bytes32 internal constant AUTO_DELEVERAGED =
        keccak256("AutoDeleveraged(address,uint256,int256,uint256,int256,uint256,address)");

    /// @dev An AutoDeleveraged event: its indexed account, market and caller, and its data.
    struct AdlEvent {
        address account;
        uint256 market;
        address caller;
        int256 delta;
        uint256 price;
        int256 pnl;
        uint256 excess;
    }

    /// @dev The single AutoDeleveraged event of `logs`.
    function _adlEvent(Vm.Log[] memory logs) internal pure returns (AdlEvent memory e) {
        uint256 n;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != AUTO_DELEVERAGED) continue;
            e.account = address(uint160(uint256(logs[i].topics[1])));
            e.market = uint256(logs[i].topics[2]);
            e.caller = address(uint160(uint256(logs[i].topics[3])));
            (e.delta, e.price, e.pnl, e.excess) = abi.decode(logs[i].data, (int256, uint256, int256, uint256));
            ++n;
        }
        assertEq(n, 1, "one AutoDeleveraged event");
    }

    /// @notice Active, the state follows from the Pool's public numbers: the PnL is the traders' PnL at the prices worst
    /// for the Pool, the value the lower NAV plus it, and the excess what, paid out, brings the PnL back to the target
    /// share (40 %) of a value that falls with it: ceil((pnl - 40 % x value) / 60 %).
    function test_adlState__aboveThreshold__activeWithTheExcessToTarget() public {
        _activate();
        (, int256 pnlHigh,,) = engine.poolExposure(false);
        uint256 value = uint256(pool.nav(false) + pnlHigh);
        (int256 pnl, uint256 poolValue, bool active, uint256 excess) = engine.adlState();
        assertEq(pnl, pnlHigh, "the PnL worst for the Pool");
        assertEq(poolValue, value, "NAV plus PnL");
        assertTrue(active && pnl > int256(value * 5_000 / 10_000), "above the 50 % threshold");
        uint256 over = uint256(pnl) - value * 4_000 / 10_000;
        assertEq(excess, over.mulDivUp(10_000, 6_000), "the excess to the target");
    }

    /// @notice Active, the best entry of the winning side (TRADER's long from 3,000, with 10,000 USDC of credit) is
    /// cut at 8,000 by what realizes the excess, rounded up; the event reports it with the keeper as caller. No
    /// penalty and no fee: the realized PnL is the price gain on the cut less the position's accrued borrow fee
    /// (up to the index the cut stamps), all of it credit; ADL is then off, the PnL at the target share to the fee.
    function test_autoDeleverage__bestEntry__closesToTargetWithoutPenalty() public {
        _deposit(TRADER, usdc, 10_000e6);
        _activate();
        (,,, uint256 excess) = engine.adlState();
        IMarginEngineTypes.Position memory before = engine.position(TRADER, 0);
        uint256 creditBefore = _credit(TRADER);
        vm.recordLogs();
        vm.prank(KEEPER);
        engine.autoDeleverage(TRADER, 0);
        AdlEvent memory e = _adlEvent(vm.getRecordedLogs());
        assertApproxEqAbs(e.excess, excess, excess / 1e5, "the excess the view reported");
        assertEq(e.price, 8_000e18, "at the price");
        uint256 closing = e.excess.mulDivUp(1e18, e.price - before.entryPrice);
        assertTrue(closing != 0 && closing < uint256(int256(before.size)) - 1e16, "a partial cut");
        assertEq(e.account, TRADER, "account");
        assertEq(e.market, 0, "market");
        assertEq(e.caller, KEEPER, "caller");
        assertEq(e.delta, -int256(closing), "the cut");
        IMarginEngineTypes.Position memory after_ = engine.position(TRADER, 0);
        assertEq(int256(after_.size), int256(before.size) - int256(closing), "the rest stays");
        uint256 fee = after_.entryIndex <= before.entryIndex
            ? 0
            : uint256(int256(before.size)).mulWadUp(before.entryPrice)
                .mulDivUp(after_.entryIndex - before.entryIndex, before.entryIndex);
        int256 realized = int256(closing * (e.price - before.entryPrice) / 1e18) - int256(fee);
        assertEq(e.pnl, realized, "the gain less the borrow fee");
        assertEq(_credit(TRADER) - creditBefore, uint256(realized) / 1e12, "credited in USDC");
        (int256 pnlAfter, uint256 valueAfter, bool activeAfter,) = engine.adlState();
        assertTrue(!activeAfter, "off");
        assertTrue(pnlAfter <= int256(valueAfter * 4_000 / 10_000 + fee), "back at the target share");
    }

    /// @notice With a target of zero the whole profit must go: when the cut would leave less than the market's minimum
    /// size (here a few borrow-fee wei of 40 WETH), the whole position is closed, the event reports it and the market
    /// leaves the account's mask.
    function test_autoDeleverage__remainderBelowMinSize__closesTheWholePosition() public {
        engine.setAdlParams(1_000, 0);
        _move(address(weth), 8_000e18);
        (,, bool active,) = engine.adlState();
        assertTrue(active, "active");
        vm.recordLogs();
        vm.prank(KEEPER);
        int256 returned = engine.autoDeleverage(TRADER, 0);
        assertEq(_adlEvent(vm.getRecordedLogs()).delta, -40e18, "the whole position, in the event");
        assertEq(returned, -40e18, "and returned");
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 0, "the market leaves the mask");
    }
}
