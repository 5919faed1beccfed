// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockPyth} from "@pythnetwork/pyth-sdk-solidity/MockPyth.sol";
import {PythErrors} from "@pythnetwork/pyth-sdk-solidity/PythErrors.sol";

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPythAdapter} from "../../../interfaces/IPythAdapter.sol";
import {IPythPriceFeeds} from "../../../interfaces/IPythPriceFeeds.sol";
import {PythAdapter} from "../../../contracts/oracles/adapters/PythAdapter.sol";
import {AdapterOracleBase} from "./AdapterOracleBase.sol";

/// @notice A payer that refuses ether: its refund fails.
contract RefusingPayer {
    function pay(IPythAdapter adapter, bytes[] calldata data) external payable {
        adapter.updatePrice{value: msg.value}(data);
    }
}

/// @title PythAdapterTest
/// @notice The adapter against Pyth's MockPyth (from @pythnetwork/pyth-sdk-solidity): the caller pays the update
/// fee and gets the excess back, exponents scale to 18 decimals, wide confidence is refused, and a stale price is
/// reported with its publish time for the aggregator to judge.
contract PythAdapterTest is AdapterOracleBase {
    bytes32 internal constant ID = keccak256("ETH/USD");
    uint256 internal constant FEE = 7 wei;
    /// @dev MockPyth's own validity period (its `getPriceNoOlderThan`, which the adapter does not call).
    uint32 internal constant PYTH_VALID_PERIOD = 120;
    uint16 internal constant MAX_CONF_BPS = 100; // 1 %

    MockPyth internal pythMock;
    PythAdapter internal adapter;

    receive() external payable {}

    function setUp() public {
        _deployOracle();
        pythMock = MockPyth(payable(_deploy("MockPyth.sol:MockPyth", abi.encode(PYTH_VALID_PERIOD, FEE))));
        adapter = new PythAdapter(IPythPriceFeeds(address(pythMock)), ID, MAX_CONF_BPS, "ETH / USD (Pyth)");
        vm.deal(address(this), 1 ether);
    }

    function _update(int64 price, uint64 conf, int32 expo, uint256 publishTime)
        internal
        view
        returns (bytes[] memory d)
    {
        d = new bytes[](1);
        d[0] = pythMock.createPriceFeedUpdateData(ID, price, conf, expo, price, conf, uint64(publishTime), 0);
    }

    function test_CallerPaysFeeAndGetsExcessBack() public {
        bytes[] memory d = _update(2_000_12345678, 1_00000000, -8, T0);
        uint256 before = address(this).balance;
        vm.expectEmit(true, false, false, true, address(adapter));
        emit IPythAdapter.PriceUpdatePaid(address(this), FEE, 1_000 - FEE);
        adapter.updatePrice{value: 1_000}(d);
        assertEq(before - address(this).balance, FEE, "paid exactly the fee");
        assertEq(address(pythMock).balance, FEE, "Pyth got the fee");
        assertEq(address(adapter).balance, 0, "adapter keeps nothing");
        (uint80 round, int256 answer,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(answer, int256(2_000.12345678e18), "scaled to 18 decimals");
        assertEq(updatedAt, T0, "publish time");
        assertEq(uint256(round), T0, "round id is the publish time");
    }

    function test_RevertsOnInsufficientFee() public {
        bytes[] memory d = _update(2_000e8, 0, -8, T0);
        vm.expectRevert(abi.encodeWithSelector(IPythAdapter.InsufficientUpdateFee.selector, FEE - 1, FEE));
        adapter.updatePrice{value: FEE - 1}(d);
    }

    function test_RefundFailureReverts() public {
        RefusingPayer payer = new RefusingPayer();
        bytes[] memory d = _update(2_000e8, 0, -8, T0);
        vm.expectRevert(abi.encodeWithSelector(IPythAdapter.RefundFailed.selector, address(payer), uint256(3)));
        payer.pay{value: FEE + 3}(adapter, d);
        payer.pay{value: FEE}(adapter, d); // exact fee: nothing to refund
        (, int256 answer,,,) = adapter.latestRoundData();
        assertEq(answer, int256(2_000e18), "price posted");
    }

    /// @notice Long past Pyth's own validity period the price is reported, stamped with its publish time.
    function test_ReportsStalePriceWithPublishTime() public {
        adapter.updatePrice{value: FEE}(_update(2_000e8, 0, -8, T0));
        vm.warp(T0 + 30 days);
        vm.expectRevert(PythErrors.StalePrice.selector);
        pythMock.getPriceNoOlderThan(ID, PYTH_VALID_PERIOD);
        (, int256 answer,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(answer, int256(2_000e18), "the last price");
        assertEq(updatedAt, T0, "stamped with its publish time");
    }

    function test_RevertsWithoutPrice() public {
        vm.expectRevert(PythErrors.PriceFeedNotFound.selector);
        adapter.latestRoundData();
        // A price stamped 0 (MockPyth stores no such update; a Pyth deployment could report one).
        vm.mockCall(
            address(pythMock),
            abi.encodeCall(IPythPriceFeeds.getPriceUnsafe, (ID)),
            abi.encode(IPythPriceFeeds.Price(2_000e8, 0, -8, 0))
        );
        vm.expectRevert(IPythAdapter.UnpublishedPrice.selector);
        adapter.latestRoundData();
    }

    function test_RevertsWhenConfidenceTooWide() public {
        // conf exactly 1 % of the price: accepted; one unit more: refused.
        adapter.updatePrice{value: FEE}(_update(2_000e8, 20e8, -8, T0));
        adapter.latestRoundData();
        vm.warp(T0 + 1);
        adapter.updatePrice{value: FEE}(_update(2_000e8, 20e8 + 1, -8, T0 + 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPythAdapter.ConfidenceTooWide.selector, int64(2_000e8), uint64(20e8 + 1), MAX_CONF_BPS
            )
        );
        adapter.latestRoundData();
    }

    function test_RevertsOnNonPositivePrice() public {
        adapter.updatePrice{value: FEE}(_update(-1, 0, -8, T0));
        vm.expectRevert(abi.encodeWithSelector(IPythAdapter.NonPositivePrice.selector, int64(-1), int32(-8)));
        adapter.latestRoundData();
    }

    function testFuzz_Exponents(int32 expo, uint64 raw) public {
        expo = int32(int256(bound(uint256(int256(expo) + 100), 100 - 40, 100 + 40)) - 100);
        int64 price = int64(uint64(bound(raw, 1, uint64(type(int64).max))));
        adapter.updatePrice{value: FEE}(_update(price, 0, expo, T0));
        if (expo > 39) {
            vm.expectRevert(abi.encodeWithSelector(IPythAdapter.UnsupportedExponent.selector, price, expo));
            adapter.latestRoundData();
            return;
        }
        int256 shift = int256(expo) + 18;
        uint256 expected =
            shift >= 0 ? uint256(uint64(price)) * 10 ** uint256(shift) : uint256(uint64(price)) / 10 ** uint256(-shift);
        if (expected == 0) {
            vm.expectRevert(abi.encodeWithSelector(IPythAdapter.UnsupportedExponent.selector, price, expo));
            adapter.latestRoundData();
            return;
        }
        (, int256 answer,,,) = adapter.latestRoundData();
        assertEq(uint256(answer), expected, "scaled price");
    }

    function test_ConstructorRejects() public {
        vm.expectRevert(IPythAdapter.ZeroPyth.selector);
        new PythAdapter(IPythPriceFeeds(address(0)), ID, MAX_CONF_BPS, "x");
        vm.expectRevert(abi.encodeWithSelector(IPythAdapter.InvalidMaxConfBps.selector, uint16(0)));
        new PythAdapter(IPythPriceFeeds(address(pythMock)), ID, 0, "x");
        vm.expectRevert(abi.encodeWithSelector(IPythAdapter.InvalidMaxConfBps.selector, uint16(10_001)));
        new PythAdapter(IPythPriceFeeds(address(pythMock)), ID, 10_001, "x");
    }

    /// @notice A keeper posts the update, then the aggregator reads the adapter like any feed; without a fresh
    /// update the aggregator excludes the source as Stale (its heartbeat), with the last price and its stamp.
    function test_AsAggregatorSource() public {
        adapter.updatePrice{value: FEE}(_update(2_000e8, 1e8, -8, T0));
        _list(ASSET, _config(_one(adapter), 1));
        vm.warp(T0 + 60);
        IOracleAggregator.PriceData memory d = oracle.update(ASSET);
        assertEq(d.median, 2_000e18, "median");
        assertEq(uint256(d.status), uint256(IOracleAggregator.Status.Ok), "ok");
        vm.warp(T0 + HEARTBEAT + 1);
        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(ASSET, address(adapter), IOracleAggregator.Exclusion.Stale, 2_000e18, T0);
        oracle.update(ASSET);
    }

    /// @notice The read path's gas, within the aggregator's per-source budget; and the update's. Printed with -vv.
    function test_ReadGas() public {
        bytes[] memory d = _update(2_000e8, 1e8, -8, T0);
        adapter.updatePrice{value: FEE + 1}(d);
        emit log_named_uint("PythAdapter.updatePrice gas (MockPyth, 1 update, refund)", vm.lastCallGas().gasTotalUsed);
        vm.cool(address(adapter));
        vm.cool(address(pythMock));
        adapter.latestRoundData();
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("PythAdapter.latestRoundData gas (cold)", used);
        assertLt(used, oracle.SOURCE_GAS_LIMIT(), "within the aggregator's source gas limit");
    }
}
