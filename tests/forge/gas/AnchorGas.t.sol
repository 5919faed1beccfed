// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {AnchorFixtures, MorphoBatchLiquidator} from "./AnchorFixtures.sol";

/// @title AnchorGas
/// @notice The anchors of `make bench`: the other protocols' operations that ballast's rows are compared with, measured
/// in the same run on the same forge VM (see `AnchorFixtures` for what is deployed and from which package). Each
/// measured call is the first thing its transaction does with the protocol (cold, as `GasMeter` documents), on a
/// protocol in use (other accounts already supplied and borrowed, one block passed so interest accrues); each test
/// checks the operation did what it should. Recorded as `anchor_<name>`; the checked-in snapshot guards them like
/// ballast's rows (`make gas-check`). Print with `forge test --match-path tests/forge/gas/AnchorGas.t.sol -vv`.

/// @notice Morpho Blue supply (a new supplier's first, a repeat) and withdraw of the loan asset (USDC).
contract MorphoSupplyGasTest is AnchorFixtures {
    address internal newcomer;
    address internal regular;
    address internal leaver;
    uint256 internal regularShares;

    function setUp() public {
        _deployMorpho();
        newcomer = _account("newcomer");
        regular = _account("regular");
        leaver = _account("leaver");
        _fund(newcomer, usdc, address(morpho), 1_000e6);
        _morphoSupply(regular, 1_000e6);
        _fund(regular, usdc, address(morpho), 1_000e6);
        _morphoSupply(leaver, 10_000e6);
        (regularShares,,) = _morphoPosition(regular);
        _nextBlock();
    }

    function test_GasMorphoSupplyFirst() public {
        (Gas memory g,) =
            _measure(newcomer, address(morpho), abi.encodeCall(morpho.supply, (morphoMarket, 1_000e6, 0, newcomer, "")));
        (uint256 shares,,) = _morphoPosition(newcomer);
        assertGt(shares, 0, "no supply shares");
        assertEq(usdc.balanceOf(newcomer), 0, "USDC not pulled");
        _anchor("morpho_supply_first", g);
    }

    function test_GasMorphoSupplyRepeat() public {
        (Gas memory g,) =
            _measure(regular, address(morpho), abi.encodeCall(morpho.supply, (morphoMarket, 1_000e6, 0, regular, "")));
        (uint256 shares,,) = _morphoPosition(regular);
        assertGt(shares, regularShares, "no supply shares added");
        assertEq(usdc.balanceOf(regular), 0, "USDC not pulled");
        _anchor("morpho_supply_repeat", g);
    }

    function test_GasMorphoWithdraw() public {
        (Gas memory g,) = _measure(
            leaver, address(morpho), abi.encodeCall(morpho.withdraw, (morphoMarket, 5_000e6, 0, leaver, leaver))
        );
        assertEq(usdc.balanceOf(leaver), 5_000e6, "USDC not paid out");
        _anchor("morpho_withdraw", g);
    }
}

/// @notice Morpho Blue collateral (a new account's first supplyCollateral, a repeat, a withdrawal with a borrow open:
/// the health check reads the oracle; one without: no check) and a first borrow against collateral.
contract MorphoCollateralGasTest is AnchorFixtures {
    address internal newcomer;
    address internal regular;
    address internal indebted;
    address internal borrower;

    function setUp() public {
        _deployMorpho();
        newcomer = _account("newcomer");
        regular = _account("regular");
        indebted = _account("indebted");
        borrower = _account("borrower");
        _fund(newcomer, weth, address(morpho), 2 * WAD);
        _morphoCollateral(regular, 2 * WAD);
        _fund(regular, weth, address(morpho), 2 * WAD);
        _morphoBorrower(indebted, 10 * WAD, 10_000e6);
        _morphoCollateral(borrower, 10 * WAD);
        _nextBlock();
    }

    function test_GasMorphoCollateralFirst() public {
        (Gas memory g,) = _measure(
            newcomer, address(morpho), abi.encodeCall(morpho.supplyCollateral, (morphoMarket, 2 * WAD, newcomer, ""))
        );
        (,, uint256 collateral) = _morphoPosition(newcomer);
        assertEq(collateral, 2 * WAD, "collateral not booked");
        _anchor("morpho_collateral_first", g);
    }

    function test_GasMorphoCollateralRepeat() public {
        (Gas memory g,) = _measure(
            regular, address(morpho), abi.encodeCall(morpho.supplyCollateral, (morphoMarket, 2 * WAD, regular, ""))
        );
        (,, uint256 collateral) = _morphoPosition(regular);
        assertEq(collateral, 4 * WAD, "collateral not added");
        _anchor("morpho_collateral_repeat", g);
    }

    function test_GasMorphoWithdrawCollateral() public {
        (Gas memory g,) = _measure(
            indebted,
            address(morpho),
            abi.encodeCall(morpho.withdrawCollateral, (morphoMarket, WAD, indebted, indebted))
        );
        (,, uint256 collateral) = _morphoPosition(indebted);
        assertEq(collateral, 9 * WAD, "collateral not withdrawn");
        assertEq(weth.balanceOf(indebted), WAD, "WETH not paid out");
        _anchor("morpho_withdraw_collateral", g);
    }

    function test_GasMorphoWithdrawCollateralNoBorrow() public {
        (Gas memory g,) = _measure(
            regular, address(morpho), abi.encodeCall(morpho.withdrawCollateral, (morphoMarket, WAD, regular, regular))
        );
        (,, uint256 collateral) = _morphoPosition(regular);
        assertEq(collateral, WAD, "collateral not withdrawn");
        assertEq(weth.balanceOf(regular), 3 * WAD, "WETH not paid out");
        _anchor("morpho_withdraw_collateral_no_borrow", g);
    }

    function test_GasMorphoBorrow() public {
        (Gas memory g,) = _measure(
            borrower, address(morpho), abi.encodeCall(morpho.borrow, (morphoMarket, 10_000e6, 0, borrower, borrower))
        );
        (, uint256 borrowShares,) = _morphoPosition(borrower);
        assertGt(borrowShares, 0, "no borrow shares");
        assertEq(usdc.balanceOf(borrower), 10_000e6, "USDC not lent");
        _anchor("morpho_borrow", g);
    }
}

/// @notice Morpho Blue liquidations. Borrowers of 2,500 USDC against 1 WETH (LTV 83 % at 3,000); WETH falls to 2,850
/// (LTV 88 %, above the 86 % LLTV): a partial liquidation repays half the borrow shares, a full one all of them and
/// leaves collateral (the seized 2,500 x 1.0438 / 2,850 = 0.92 WETH is less than 1: no bad debt). The keeper pays
/// USDC it holds (approved once, without limit, as a liquidation bot does).
contract MorphoLiquidationGasTest is AnchorFixtures {
    address internal partialVictim;
    address internal fullVictim;
    uint256 internal partialShares;
    uint256 internal fullShares;

    function setUp() public {
        _deployMorpho();
        partialVictim = _account("partial");
        fullVictim = _account("full");
        _morphoBorrower(partialVictim, WAD, 2_500e6);
        _morphoBorrower(fullVictim, WAD, 2_500e6);
        (, partialShares,) = _morphoPosition(partialVictim);
        (, fullShares,) = _morphoPosition(fullVictim);
        usdc.mint(KEEPER, 10_000e6);
        vm.prank(KEEPER);
        usdc.approve(address(morpho), type(uint256).max);
        _morphoCrash(2_850);
    }

    function test_GasMorphoLiquidatePartial() public {
        (Gas memory g,) = _measure(
            KEEPER,
            address(morpho),
            abi.encodeCall(morpho.liquidate, (morphoMarket, partialVictim, 0, partialShares / 2, ""))
        );
        (, uint256 shares, uint256 collateral) = _morphoPosition(partialVictim);
        assertEq(shares, partialShares - partialShares / 2, "half the debt not repaid");
        assertEq(weth.balanceOf(KEEPER), WAD - collateral, "seized collateral not paid to the keeper");
        _anchor("morpho_liquidate_partial", g);
    }

    function test_GasMorphoLiquidateFull() public {
        (Gas memory g,) = _measure(
            KEEPER, address(morpho), abi.encodeCall(morpho.liquidate, (morphoMarket, fullVictim, 0, fullShares, ""))
        );
        (, uint256 shares, uint256 collateral) = _morphoPosition(fullVictim);
        assertEq(shares, 0, "debt not repaid in full");
        assertGt(collateral, 0, "collateral exhausted: not a liquidation without bad debt");
        assertEq(weth.balanceOf(KEEPER), WAD - collateral, "seized collateral not paid to the keeper");
        _anchor("morpho_liquidate_full", g);
    }
}

/// @notice Morpho Blue liquidation with bad debt: a borrower of 2,500 USDC against 1 WETH, WETH falls to 2,000; the
/// keeper seizes all the collateral and the debt it does not cover is written off against the suppliers.
contract MorphoBadDebtGasTest is AnchorFixtures {
    address internal victim;
    uint256 internal suppliedBefore;

    function setUp() public {
        _deployMorpho();
        victim = _account("victim");
        _morphoBorrower(victim, WAD, 2_500e6);
        usdc.mint(KEEPER, 10_000e6);
        vm.prank(KEEPER);
        usdc.approve(address(morpho), type(uint256).max);
        _morphoCrash(2_000);
        (suppliedBefore,,,,,) = morpho.market(marketId);
    }

    function test_GasMorphoLiquidateBadDebt() public {
        (Gas memory g,) =
            _measure(KEEPER, address(morpho), abi.encodeCall(morpho.liquidate, (morphoMarket, victim, WAD, 0, "")));
        (, uint256 shares, uint256 collateral) = _morphoPosition(victim);
        assertEq(collateral, 0, "collateral not seized in full");
        assertEq(shares, 0, "bad debt not written off");
        (uint256 supplied,,,,,) = morpho.market(marketId);
        assertLt(supplied, suppliedBefore, "bad debt not borne by the suppliers");
        assertEq(weth.balanceOf(KEEPER), WAD, "collateral not paid to the keeper");
        _anchor("morpho_liquidate_bad_debt", g);
    }
}

/// @notice Morpho Blue liquidations of 1, 10 and 100 borrowers in one transaction through `MorphoBatchLiquidator`
/// (half of each borrower's shares; the borrowers as in `MorphoLiquidationGasTest`), so that the cost of each extra
/// account is (100 - 10) / 90, as for ballast's `liquidateMany`.
contract MorphoBatchGasTest is AnchorFixtures {
    uint256 internal constant VICTIMS = 100;

    MorphoBatchLiquidator internal batcher;
    address[] internal victims;
    uint256[] internal borrowShares;

    function setUp() public {
        _deployMorpho();
        for (uint256 i = 0; i < VICTIMS; ++i) {
            address v = _account(string.concat("victim", vm.toString(i)));
            _morphoBorrower(v, WAD, 2_500e6);
            (, uint256 shares,) = _morphoPosition(v);
            victims.push(v);
            borrowShares.push(shares);
        }
        batcher = new MorphoBatchLiquidator(morpho, usdc);
        usdc.mint(address(batcher), VICTIMS * 2_000e6);
        _morphoCrash(2_850);
    }

    function _liquidateMany(uint256 n) internal {
        address[] memory borrowers = new address[](n);
        uint256[] memory halves = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            (borrowers[i], halves[i]) = (victims[i], borrowShares[i] / 2);
        }
        (Gas memory g, bytes memory ret) =
            _measure(KEEPER, address(batcher), abi.encodeCall(batcher.liquidateMany, (morphoMarket, borrowers, halves)));
        assertEq(abi.decode(ret, (uint256)), n, "not every borrower liquidated");
        for (uint256 i = 0; i < n; ++i) {
            (, uint256 left,) = _morphoPosition(victims[i]);
            assertEq(left, borrowShares[i] - halves[i], "a borrower's half not repaid");
        }
        assertGt(weth.balanceOf(address(batcher)), 0, "no collateral seized");
        _anchor(string.concat("morpho_liquidate_many_", vm.toString(n)), g);
    }

    function test_GasMorphoLiquidateMany1() public {
        _liquidateMany(1);
    }

    function test_GasMorphoLiquidateMany10() public {
        _liquidateMany(10);
    }

    function test_GasMorphoLiquidateMany100() public {
        _liquidateMany(VICTIMS);
    }
}

/// @notice Aave v3 supply of USDC and of WETH: a new supplier's first (the reserve enabled as collateral) and a
/// repeat.
contract AaveSupplyGasTest is AnchorFixtures {
    address internal newcomer;
    address internal regular;
    uint256 internal regularCollateral;

    function setUp() public {
        _deployAave();
        newcomer = _account("newcomer");
        regular = _account("regular");
        _fund(newcomer, usdc, address(aave), 1_000e6);
        _fund(newcomer, weth, address(aave), 2 * WAD);
        _aaveSupply(regular, usdc, 1_000e6);
        _aaveSupply(regular, weth, 2 * WAD);
        _fund(regular, usdc, address(aave), 1_000e6);
        _fund(regular, weth, address(aave), 2 * WAD);
        _nextBlock();
        (regularCollateral,,,,,) = aave.getUserAccountData(regular);
    }

    /// @dev `who` supplies `amount` of `token`, worth `usd8` (8 decimals) more collateral than it held before.
    function _supply(address who, MockERC20 token, uint256 amount, uint256 before, uint256 usd8, string memory key)
        internal
    {
        (Gas memory g,) =
            _measure(who, address(aave), abi.encodeCall(aave.supply, (address(token), amount, who, uint16(0))));
        assertEq(token.balanceOf(who), 0, "tokens not pulled");
        (uint256 collateralBase,,,,,) = aave.getUserAccountData(who);
        assertApproxEqAbs(collateralBase, before + usd8, usd8 / 1_000, "supply not counted as collateral");
        _anchor(key, g);
    }

    function test_GasAaveSupplyUsdcFirst() public {
        _supply(newcomer, usdc, 1_000e6, 0, 1_000e8, "aave_supply_usdc_first");
    }

    function test_GasAaveSupplyUsdcRepeat() public {
        _supply(regular, usdc, 1_000e6, regularCollateral, 1_000e8, "aave_supply_usdc_repeat");
    }

    function test_GasAaveSupplyWethFirst() public {
        _supply(newcomer, weth, 2 * WAD, 0, 6_000e8, "aave_supply_weth_first");
    }

    function test_GasAaveSupplyWethRepeat() public {
        _supply(regular, weth, 2 * WAD, regularCollateral, 6_000e8, "aave_supply_weth_repeat");
    }
}

/// @notice Aave v3 borrow: an account with 10 WETH supplied borrows 10,000 USDC at the variable rate (its first).
contract AaveBorrowGasTest is AnchorFixtures {
    address internal borrower;

    function setUp() public {
        _deployAave();
        borrower = _account("borrower");
        _aaveSupply(borrower, weth, 10 * WAD);
        _nextBlock();
    }

    function test_GasAaveBorrow() public {
        (Gas memory g,) = _measure(
            borrower, address(aave), abi.encodeCall(aave.borrow, (address(usdc), 10_000e6, 2, uint16(0), borrower))
        );
        assertEq(usdc.balanceOf(borrower), 10_000e6, "USDC not lent");
        assertApproxEqAbs(_aaveDebt(borrower), 10_000e8, 1, "debt not booked");
        _anchor("aave_borrow", g);
    }
}

/// @notice Aave v3 liquidationCall. A borrower of 2,400 USDC against 1 WETH (LTV 80 % at 3,000, liquidation threshold
/// 82.5 %); the keeper repays as much as the close factor allows (debtToCover = max) and takes WETH with the 5 % bonus.
abstract contract AaveLiquidationBase is AnchorFixtures {
    address internal victim;
    uint256 internal debtBefore;

    /// @dev WETH falls to `usd`; the victim's health factor must then be in [`minHealth`, `maxHealth`).
    function _setUpVictim(uint256 usd, uint256 minHealth, uint256 maxHealth) internal {
        _deployAave();
        victim = _account("victim");
        _aaveBorrower(victim, WAD, 2_400e6);
        usdc.mint(KEEPER, 10_000e6);
        vm.prank(KEEPER);
        usdc.approve(address(aave), type(uint256).max);
        aaveWethFeed.updateAnswer(int256(usd * 1e8));
        _nextBlock();
        (, uint256 debt,,,, uint256 health) = aave.getUserAccountData(victim);
        assertTrue(health >= minHealth && health < maxHealth, "fixture: health factor out of its band");
        debtBefore = debt;
    }

    function _liquidate() internal returns (Gas memory g) {
        (g,) = _measure(
            KEEPER,
            address(aave),
            abi.encodeCall(aave.liquidationCall, (address(weth), address(usdc), victim, type(uint256).max, false))
        );
        assertGt(weth.balanceOf(KEEPER), 0, "no collateral paid to the keeper");
    }
}

/// @notice Partial: WETH at 2,850, health factor 0.98 (above 0.95): the close factor is 50 %.
contract AaveLiquidatePartialGasTest is AaveLiquidationBase {
    function setUp() public {
        _setUpVictim(2_850, 0.95e18, 1e18);
    }

    function test_GasAaveLiquidatePartial() public {
        Gas memory g = _liquidate();
        assertApproxEqAbs(_aaveDebt(victim), debtBefore / 2, debtBefore / 100, "half the debt not repaid");
        _anchor("aave_liquidation_partial", g);
    }
}

/// @notice Full: WETH at 2,600, health factor 0.89 (below 0.95): the whole debt is repaid, collateral is left.
contract AaveLiquidateFullGasTest is AaveLiquidationBase {
    function setUp() public {
        _setUpVictim(2_600, 0, 0.95e18);
    }

    function test_GasAaveLiquidateFull() public {
        Gas memory g = _liquidate();
        (uint256 collateralBase, uint256 debt,,,,) = aave.getUserAccountData(victim);
        assertEq(debt, 0, "debt not repaid in full");
        assertGt(collateralBase, 0, "collateral exhausted");
        _anchor("aave_liquidation_full", g);
    }
}
