// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IMarginProduct} from "../../../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MockMarginProduct} from "../../../contracts/mocks/MockMarginProduct.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title MarginEngineMarginProductTest
/// @notice Margin products (`IMarginProduct`): `listMarginProduct`, `tradeProduct`, and a product's positions in the
/// account's health, the Pool's exposure, the margin checks of every new risk and a liquidation (fixture:
/// CoreFlowBase with a MockMarginProduct listed as product 0; USDC is worth 1 USD, so 1e6 units are 1e18 USD).
contract MarginEngineMarginProductTest is CoreFlowBase {
    uint256 internal constant USD = 1e18;
    MockMarginProduct internal book;

    function _listBook() internal {
        book = new MockMarginProduct(address(engine));
        engine.listMarginProduct(address(book));
    }

    function _risk(int256 mv, uint256 mm, int256 iv, uint256 im, uint256 stress)
        internal
        pure
        returns (IMarginProduct.AccountRisk memory)
    {
        return IMarginProduct.AccountRisk(mv * int256(USD), mm * USD, iv * int256(USD), im * USD, stress * USD);
    }

    function _trade(int256 cashUsd, bool addsRisk, uint256 notionalUsd, IMarginProduct.AccountRisk memory r)
        internal
        returns (bytes memory)
    {
        vm.prank(TRADER);
        return engine.tradeProduct(
            0, abi.encode(MockMarginProduct.Action(cashUsd * int256(USD), addsRisk, notionalUsd * USD, r))
        );
    }

    // ---------------------------------------------------------------- listMarginProduct

    /// @notice Governance lists a product that books nothing: listed in order, announced.
    function test_listMarginProduct__emptyBook__listedAndAnnounced() public {
        book = new MockMarginProduct(address(engine));
        vm.expectEmit(true, true, false, false, address(engine));
        emit IMarginEngineTypes.MarginProductListed(0, address(book));
        assertEq(engine.listMarginProduct(address(book)), 0, "product 0");
        address[] memory listed = engine.marginProducts();
        assertEq(listed.length, 1, "one product");
        assertEq(listed[0], address(book), "the book");
    }

    /// @notice Not governance, the zero address, a product listed twice, one that books something, a fifth: each
    /// reverts with its values.
    function test_listMarginProduct__invalid__reverts() public {
        _listBook();
        MockMarginProduct other = new MockMarginProduct(address(engine));
        vm.prank(OTHER);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", OTHER, bytes32(0)));
        engine.listMarginProduct(address(other));
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        engine.listMarginProduct(address(0));
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.MarginProductAlreadyListed.selector, address(book)));
        engine.listMarginProduct(address(book));
        other.setExposure(0, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IMarginEngineTypes.MarginProductNotEmpty.selector, address(other), 0, 1, 0, 0)
        );
        engine.listMarginProduct(address(other));
        for (uint256 i = 1; i < 4; ++i) {
            engine.listMarginProduct(address(new MockMarginProduct(address(engine))));
        }
        MockMarginProduct fifth = new MockMarginProduct(address(engine));
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.TooManyMarginProducts.selector, 4));
        engine.listMarginProduct(address(fifth));
    }

    // ---------------------------------------------------------------- tradeProduct

    /// @notice A premium of 1,000 USD paid from 10,000 USDC of credit goes to the Pool; the position's figures join the
    /// account's health: maintenance value and margin, a negative initial value, initial margin and stress loss.
    function test_tradeProduct__premiumPaid__poolReceivesItAndHealthAddsThePosition() public {
        _listBook();
        _deposit(TRADER, usdc, 10_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.ProductTraded(TRADER, 0, -1_000e18, true, true);
        bytes memory result = _trade(-1_000, true, 5_000, _risk(900, 250, -100, 500, 1_000));
        assertEq(abi.decode(result, (uint256)), 5_000e18, "the product's output");

        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 9_000e6, "premium paid from credit");
        assertEq(pool.reserves(address(usdc)), reserve + 1_000e6, "the Pool received it");
        assertEq(engine.accountProducts(TRADER), 1, "holds product 0");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.maintenanceEquity, 9_900e18, "cash + maintenance value");
        assertEq(h.maintenanceMargin, 250e18, "maintenance margin");
        assertEq(h.initialEquity, 8_900e18, "cash + negative initial value");
        assertEq(h.initialMargin, 500e18, "initial margin");
        assertEq(h.stressEquity, 7_900e18, "initial equity - stress loss");
        assertTrue(!h.liquidatable, "healthy");
    }

    /// @notice A position's unrealized gain counts towards maintenance, never towards initial equity.
    function test_tradeProduct__positiveInitialValue__notCountedTowardsInitialEquity() public {
        _listBook();
        _deposit(TRADER, usdc, 10_000e6);
        _trade(-1_000, true, 5_000, _risk(1_200, 100, 1_100, 200, 0));
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.maintenanceEquity, 10_200e18, "the gain counts for maintenance");
        assertEq(h.initialEquity, 9_000e18, "not for initial equity");
    }

    /// @notice A receipt is paid by the Pool into credit.
    function test_tradeProduct__cashReceived__paidByThePool() public {
        _listBook();
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        _trade(500, true, 1_000, _risk(-600, 100, -600, 200, 100));
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 1_500e6, "received");
        assertEq(pool.reserves(address(usdc)), reserve - 500e6, "paid by the Pool");
    }

    /// @notice New risk beyond the initial margin reverts with the whole account's figures; nothing is booked.
    function test_tradeProduct__beyondInitialMargin__revertsInsufficientMargin() public {
        _listBook();
        _deposit(TRADER, usdc, 1_000e6);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarginEngineTypes.InsufficientMargin.selector, int256(900e18), 2_000e18, int256(900e18)
            )
        );
        _trade(-100, true, 10_000, _risk(100, 1_000, 0, 2_000, 0));
        assertEq(engine.accountProducts(TRADER), 0, "nothing held");
    }

    /// @notice While the guardian's pause is on, an action that adds risk reverts; a reduction goes through, and closing
    /// everything clears the account's product mask.
    function test_tradeProduct__paused__onlyReduces() public {
        _listBook();
        _deposit(TRADER, usdc, 10_000e6);
        _trade(-1_000, true, 5_000, _risk(900, 250, -100, 500, 1_000));
        engine.setNewRiskPaused(true);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _trade(-1_000, true, 10_000, _risk(1_800, 500, -200, 1_000, 2_000));
        _trade(450, false, 2_500, _risk(450, 125, -50, 250, 500));
        assertEq(engine.accountProducts(TRADER), 1, "still held");
        _trade(450, false, 0, _risk(0, 0, 0, 0, 0));
        assertEq(engine.accountProducts(TRADER), 0, "closed");
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 9_900e6, "premium back less the spread");
    }

    /// @notice A partial reduction that leaves the account below maintenance reverts; closing it all goes through.
    function test_tradeProduct__reduceBelowMaintenance__revertsUnlessClosed() public {
        _listBook();
        _deposit(TRADER, usdc, 1_000e6);
        _trade(0, true, 5_000, _risk(-100, 300, -100, 500, 0));
        book.setRisk(TRADER, _risk(-800, 300, -800, 500, 0), 5_000); // the market moved against it
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.BelowMaintenance.selector, int256(100e18), 250e18));
        _trade(-500, false, 2_500, _risk(-400, 250, -400, 250, 0));
        _trade(-800, false, 0, _risk(0, 0, 0, 0, 0));
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 200e6, "the loss realized");
    }

    /// @notice A product that reports holding nothing while it still reports figures is refused.
    function test_tradeProduct__holdsNothingButReportsFigures__reverts() public {
        _listBook();
        _deposit(TRADER, usdc, 1_000e6);
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.MarginProductStillHeld.selector, 0, TRADER));
        engine.tradeProduct(0, abi.encode(MockMarginProduct.Action(0, false, 0, _risk(0, 1, 0, 0, 0))));
    }

    /// @notice An action after which the initial margin or the stress loss is higher adds risk, whatever the product
    /// says: the guardian's pause refuses it, and it must pass the initial-margin check.
    function test_tradeProduct__figuresRoseWithoutAddsRisk__treatedAsNewRisk() public {
        _listBook();
        _deposit(TRADER, usdc, 1_000e6);
        _trade(0, true, 1_000, _risk(0, 100, 0, 200, 100));
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarginEngineTypes.InsufficientMargin.selector, int256(1_000e18), 5_000e18, int256(1_000e18)
            )
        );
        _trade(0, false, 1_000, _risk(0, 100, 0, 5_000, 0));
        engine.setNewRiskPaused(true);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _trade(0, false, 1_000, _risk(0, 100, 0, 200, 200));
    }

    /// @notice An unlisted product number reverts.
    function test_tradeProduct__unlisted__reverts() public {
        _listBook();
        vm.prank(TRADER);
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.MarginProductNotListed.selector, 1));
        engine.tradeProduct(1, "");
    }

    /// @notice Holding a product position, new risk anywhere needs the product's prices usable for AddRisk, and a
    /// withdrawal needs the whole account's initial margin.
    function test_newRisk__heldProduct__needsItsPricesAndItsMargin() public {
        _listBook();
        _deposit(TRADER, usdc, 2_000e6);
        _trade(0, true, 5_000, _risk(0, 500, 0, 1_000, 0));
        book.setBlockedActions(1 << uint256(IOracleAggregator.Action.AddRisk));
        vm.expectRevert(
            abi.encodeWithSelector(MockMarginProduct.PricesUnusable.selector, TRADER, IOracleAggregator.Action.AddRisk)
        );
        _open(TRADER, 0, 1e17);
        book.setBlockedActions(0);
        vm.prank(TRADER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarginEngineTypes.InsufficientMargin.selector, int256(999e18), 1_000e18, int256(999e18)
            )
        );
        engine.withdraw(address(usdc), 1_001e6, TRADER);
        vm.prank(TRADER);
        engine.withdraw(address(usdc), 1_000e6, TRADER);
    }

    // ---------------------------------------------------------------- the Pool's exposure

    /// @notice The engine reports its products' exposure to the Pool with its own markets'.
    function test_poolExposure__addsTheProducts() public {
        _listBook();
        (int256 low, int256 high, uint256 reserved,) = engine.poolExposure(false);
        book.setExposure(100e18, 300e18, 1_000e18);
        (int256 low2, int256 high2, uint256 reserved2,) = engine.poolExposure(false);
        assertEq(low2, low + 100e18, "low");
        assertEq(high2, high + 300e18, "high");
        assertEq(reserved2, reserved + 1_000e18, "reserved");
        book.setBlockedActions(1 << uint256(IOracleAggregator.Action.Value));
        vm.expectRevert(
            abi.encodeWithSelector(
                MockMarginProduct.PricesUnusable.selector, address(0), IOracleAggregator.Action.Value
            )
        );
        engine.poolExposure(true);
    }

    // ---------------------------------------------------------------- liquidation

    /// @dev TRADER with 10,000 USDC and a product position of 20,000 USD notional whose maintenance value moved to
    /// `mv` with a maintenance margin of 1,000 USD.
    function _underwater(int256 mv) internal {
        _listBook();
        _deposit(TRADER, usdc, 10_000e6);
        _trade(0, true, 20_000, _risk(0, 1_000, 0, 2_000, 0));
        book.setRisk(TRADER, _risk(mv, 1_000, mv, 2_000, 0), 20_000e18);
    }

    /// @notice Equity 700 < margin 1,000 (above the critical 500): the close factor (50 %) closes half the product's
    /// position, its realized value is booked, the 1 % penalty on the 10,000 closed is charged, and the health after is
    /// what the close left.
    function test_liquidate__productPosition__closesTheCloseFactor() public {
        _underwater(-9_300);
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "liquidatable");
        liquidator.liquidate(TRADER);
        assertEq(book.notionalUsd(TRADER), 10_000e18, "half closed");
        assertEq(engine.accountProducts(TRADER), 1, "still held");
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 10_000e6 - 4_650e6 - 100e6, "realized loss and the penalty");
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceEquity, 600e18, "cash - remaining value");
        assertEq(h.maintenanceMargin, 500e18, "half the margin");
    }

    /// @notice Equity 300 below the critical 500: the whole position is closed and the account's product mask cleared.
    function test_liquidate__productBelowCritical__closesAll() public {
        _underwater(-9_700);
        liquidator.liquidate(TRADER);
        assertEq(book.notionalUsd(TRADER), 0, "all closed");
        assertEq(engine.accountProducts(TRADER), 0, "mask cleared");
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 10_000e6 - 9_700e6 - 200e6, "realized loss and the penalty on 20,000");
    }

    /// @notice A held position whose margin the product reports as zero still margins 1 wei: an account that owes more
    /// than it holds has the position closed (in full, below the dust margin) before it is absorbed, never left open
    /// on an emptied account.
    function test_liquidate__heldProductWithZeroMargin__closedBeforeTheAbsorb() public {
        _listBook();
        _deposit(TRADER, usdc, 1_000e6);
        _trade(0, true, 1_000, _risk(0, 100, 0, 100, 0));
        book.setRisk(TRADER, _risk(-1_500, 0, -1_500, 0, 0), 1_000e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(h.maintenanceMargin, 1, "a held product margins 1 wei");
        assertTrue(h.liquidatable, "liquidatable");
        liquidator.liquidate(TRADER);
        assertEq(book.notionalUsd(TRADER), 0, "closed");
        assertEq(engine.accountProducts(TRADER), 0, "mask cleared");
        (uint256 credit, uint256 scaledDebt,) = engine.cash(TRADER);
        assertEq(credit + scaledDebt, 0, "absorbed: the debt the close left written off");
    }

    /// @notice A product whose prices are not usable for a liquidation blocks the account's liquidation health.
    function test_liquidationHealth__productPricesUnusable__reverts() public {
        _underwater(-9_300);
        book.setBlockedActions(1 << uint256(IOracleAggregator.Action.Liquidate));
        vm.expectRevert(
            abi.encodeWithSelector(
                MockMarginProduct.PricesUnusable.selector, TRADER, IOracleAggregator.Action.Liquidate
            )
        );
        engine.liquidationHealth(TRADER);
    }
}
