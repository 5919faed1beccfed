// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {GasMeter} from "../utils/GasMeter.sol";

// ---------------------------------------------------------------- Morpho Blue: the calls the bench makes

/// @notice Morpho Blue's market parameters (the key of a market: its id is the hash of their ABI encoding).
struct MarketParams {
    address loanToken;
    address collateralToken;
    address oracle;
    address irm;
    uint256 lltv;
}

/// @notice The Morpho Blue calls the anchors use, declared from its published ABI.
interface IMorphoBlueLike {
    function enableIrm(address irm) external;
    function enableLltv(uint256 lltv) external;
    function createMarket(MarketParams memory marketParams) external;
    function supply(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        bytes memory data
    ) external returns (uint256, uint256);
    function withdraw(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256);
    function borrow(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256);
    function supplyCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, bytes memory data)
        external;
    function withdrawCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, address receiver)
        external;
    function liquidate(
        MarketParams memory marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        bytes memory data
    ) external returns (uint256, uint256);
    function position(bytes32 id, address user)
        external
        view
        returns (uint256 supplyShares, uint128 borrowShares, uint128 collateral);
    function market(bytes32 id)
        external
        view
        returns (
            uint128 totalSupplyAssets,
            uint128 totalSupplyShares,
            uint128 totalBorrowAssets,
            uint128 totalBorrowShares,
            uint128 lastUpdate,
            uint128 fee
        );
}

/// @notice A Morpho Blue oracle reading one Chainlink-style feed (our MockFeed), the shape of Morpho's production
/// Chainlink oracle with one feed: the collateral's price in loan-token units, scaled by 1e36.
contract FeedOracle {
    MockFeed internal immutable FEED;
    uint256 internal immutable SCALE;

    constructor(MockFeed feed, uint256 scale) {
        FEED = feed;
        SCALE = scale;
    }

    function price() external view returns (uint256) {
        (, int256 answer,,,) = FEED.latestRoundData();
        return uint256(answer) * SCALE;
    }
}

/// @notice Liquidates a list of Morpho Blue borrowers in one transaction, each by the given borrow shares, skipping one
/// that cannot be liquidated (as ballast's `liquidateMany` does). Pays with the loan tokens it holds.
contract MorphoBatchLiquidator {
    IMorphoBlueLike internal immutable MORPHO;

    constructor(IMorphoBlueLike morpho, MockERC20 loanToken) {
        MORPHO = morpho;
        loanToken.approve(address(morpho), type(uint256).max);
    }

    /// @return liquidated How many borrowers were liquidated.
    function liquidateMany(MarketParams calldata params, address[] calldata borrowers, uint256[] calldata repaidShares)
        external
        returns (uint256 liquidated)
    {
        for (uint256 i = 0; i < borrowers.length; ++i) {
            try MORPHO.liquidate(params, borrowers[i], 0, repaidShares[i], "") {
                ++liquidated;
            } catch {}
        }
    }
}

// ---------------------------------------------------------------- Aave v3: the calls the bench makes

/// @notice Aave v3's reserve initialisation input (ConfiguratorInputTypes.InitReserveInput of Aave's core-v3 1.19).
struct InitReserveInput {
    address aTokenImpl;
    address stableDebtTokenImpl;
    address variableDebtTokenImpl;
    uint8 underlyingAssetDecimals;
    address interestRateStrategyAddress;
    address underlyingAsset;
    address treasury;
    address incentivesController;
    string aTokenName;
    string aTokenSymbol;
    string variableDebtTokenName;
    string variableDebtTokenSymbol;
    string stableDebtTokenName;
    string stableDebtTokenSymbol;
    bytes params;
}

interface IAaveAddressesProviderLike {
    function setACLAdmin(address admin) external;
    function setACLManager(address manager) external;
    function setPoolImpl(address impl) external;
    function setPoolConfiguratorImpl(address impl) external;
    function setPriceOracle(address oracle) external;
    function getPool() external view returns (address);
    function getPoolConfigurator() external view returns (address);
}

interface IAaveAclManagerLike {
    function addPoolAdmin(address admin) external;
}

interface IAaveConfiguratorLike {
    function initReserves(InitReserveInput[] calldata input) external;
    function configureReserveAsCollateral(address asset, uint256 ltv, uint256 threshold, uint256 bonus) external;
    function setReserveBorrowing(address asset, bool enabled) external;
}

interface IAavePoolLike {
    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
    function borrow(address asset, uint256 amount, uint256 rateMode, uint16 referralCode, address onBehalfOf) external;
    function liquidationCall(address collateral, address debt, address user, uint256 debtToCover, bool receiveAToken)
        external;
    function getUserAccountData(address user)
        external
        view
        returns (
            uint256 totalCollateralBase,
            uint256 totalDebtBase,
            uint256 availableBorrowsBase,
            uint256 liquidationThreshold,
            uint256 ltv,
            uint256 healthFactor
        );
}

/// @notice The cheatcodes the anchors need beyond `Vm`: reading a published artifact and linking its libraries.
interface AnchorVm {
    function readFile(string calldata path) external view returns (string memory data);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory value);
    function replace(string calldata input, string calldata from, string calldata to)
        external
        pure
        returns (string memory output);
    function parseBytes(string calldata value) external pure returns (bytes memory parsed);
}

/// @title AnchorFixtures
/// @notice The other protocols the bench compares ballast with, deployed on the forge VM beside it from their pinned
/// npm packages, with our tokens (MockERC20: USDC 6 decimals, WETH 18) and Chainlink-style feeds at 8 decimals:
/// - Morpho Blue 1.0.0 (out-anchors/morpho-blue/, compiled by tools/build-anchors.cjs with the solc 0.8.19 it pins and
/// its own settings): one market, USDC lent against WETH, LLTV 86 %, Morpho's IrmMock, an oracle reading a MockFeed;
/// - Aave v3 (the published artifacts of Aave's npm package core-v3 1.19.3, solc 0.8.10): addresses provider, ACL manager, the Pool and
/// PoolConfigurator behind their proxies (the logic libraries deployed and linked here), AaveOracle on
/// MockV3Aggregator feeds, USDC and WETH reserves (collateral and borrowable, Aave mainnet-like parameters).
abstract contract AnchorFixtures is GasMeter {
    AnchorVm internal constant AVM = AnchorVm(address(uint160(uint256(keccak256("hevm cheat code")))));

    string internal constant MORPHO_DIR = "out-anchors/morpho-blue/";
    string internal constant AAVE = "node_modules/@aave/core-v3/artifacts/contracts/";
    string internal constant AAVE_LOGIC = "protocol/libraries/logic/";
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BLOCK_TIME = 12;
    uint256 internal constant LLTV = 0.86e18;
    address internal constant KEEPER = address(0xEEEE);
    address internal constant TREASURY = address(0x7EA5);

    MockERC20 internal usdc;
    MockERC20 internal weth;
    MockFeed internal wethFeed;

    IMorphoBlueLike internal morpho;
    MarketParams internal morphoMarket;
    bytes32 internal marketId;

    IAavePoolLike internal aave;
    /// @dev Chainlink's own mock feed behind Aave's oracle, which reads `latestAnswer` (MockFeed has only
    /// `latestRoundData`).
    MockV3Aggregator internal aaveWethFeed;

    // ---------------------------------------------------------------- shared

    function _tokens() internal {
        usdc = MockERC20(_deploy("MockERC20.sol:MockERC20", abi.encode("USD Coin", "USDC", uint8(6))));
        weth = MockERC20(_deploy("MockERC20.sol:MockERC20", abi.encode("Wrapped Ether", "WETH", uint8(18))));
    }

    function _account(string memory name) internal returns (address a) {
        a = address(uint160(uint256(keccak256(bytes(name)))));
        vm.label(a, name);
    }

    /// @dev Mint `amount` to `who` and approve `spender` for exactly that (the approval ballast's rows use).
    function _fund(address who, MockERC20 token, address spender, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(spender, amount);
    }

    function _nextBlock() internal {
        vm.warp(vm.getBlockTimestamp() + BLOCK_TIME);
        vm.roll(vm.getBlockNumber() + 1);
    }

    /// @notice Record `g` for `make bench` as the anchor `anchor_<key>`, and print it.
    function _anchor(string memory key, Gas memory g) internal {
        _record(string.concat("anchor_", key), g);
        emit log_named_uint(string.concat("anchor_", key, ": tx gas"), g.txGas);
    }

    // ---------------------------------------------------------------- Morpho Blue

    /// @notice Morpho Blue and its USDC/WETH market, in use: a lender with 1,000,000 USDC supplied, a borrower with 10
    /// WETH of collateral and 15,000 USDC borrowed; then one block passes (interest accrues in the next call).
    function _deployMorpho() internal {
        _tokens();
        wethFeed = MockFeed(_deploy("MockFeed.sol:MockFeed", abi.encode(uint8(8), int256(3_000e8), "ETH / USD")));
        morpho = IMorphoBlueLike(_deploy(string.concat(MORPHO_DIR, "Morpho.json"), abi.encode(address(this))));
        address irm = _deploy(string.concat(MORPHO_DIR, "IrmMock.json"), "");
        // price of 1 wei of WETH in USDC units x 1e36: answer (8 decimals) x 10^(36 + 6 - 18 - 8)
        FeedOracle oracle = new FeedOracle(wethFeed, 1e16);
        morpho.enableIrm(irm);
        morpho.enableLltv(LLTV);
        morphoMarket = MarketParams(address(usdc), address(weth), address(oracle), irm, LLTV);
        marketId = keccak256(abi.encode(morphoMarket));
        morpho.createMarket(morphoMarket);
        _morphoSupply(_account("lender"), 1_000_000e6);
        _morphoBorrower(_account("inUseBorrower"), 10 * WAD, 15_000e6);
        _nextBlock();
    }

    function _morphoSupply(address who, uint256 amount) internal {
        _fund(who, usdc, address(morpho), amount);
        vm.prank(who);
        morpho.supply(morphoMarket, amount, 0, who, "");
    }

    function _morphoCollateral(address who, uint256 amount) internal {
        _fund(who, weth, address(morpho), amount);
        vm.prank(who);
        morpho.supplyCollateral(morphoMarket, amount, who, "");
    }

    function _morphoBorrower(address who, uint256 collateral, uint256 borrowed) internal {
        _morphoCollateral(who, collateral);
        vm.prank(who);
        morpho.borrow(morphoMarket, borrowed, 0, who, who);
    }

    function _morphoPosition(address who)
        internal
        view
        returns (uint256 supplyShares, uint256 borrowShares, uint256 c)
    {
        (supplyShares, borrowShares, c) = morpho.position(marketId, who);
    }

    /// @notice WETH at `usd` (8-decimal feed answer x 1e8), one block later.
    function _morphoCrash(uint256 usd) internal {
        wethFeed.setAnswer(int256(usd * 1e8));
        _nextBlock();
    }

    // ---------------------------------------------------------------- Aave v3

    /// @notice Aave v3 with USDC and WETH reserves, in use: a lender with 1,000,000 USDC and 100 WETH supplied, a
    /// borrower with 10 WETH supplied and 15,000 USDC borrowed; then one block passes.
    function _deployAave() internal {
        _tokens();
        IAaveAddressesProviderLike provider = IAaveAddressesProviderLike(
            _deploy(
                string.concat(AAVE, "protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json"),
                abi.encode("ballast anchors", address(this))
            )
        );
        provider.setACLAdmin(address(this));
        address acl = _deploy(
            string.concat(AAVE, "protocol/configuration/ACLManager.sol/ACLManager.json"), abi.encode(address(provider))
        );
        provider.setACLManager(acl);
        IAaveAclManagerLike(acl).addPoolAdmin(address(this));
        provider.setPoolImpl(_aavePoolImpl(address(provider)));
        aave = IAavePoolLike(provider.getPool());
        address configuratorLogic = _aaveLibrary("ConfiguratorLogic", "", address(0));
        provider.setPoolConfiguratorImpl(
            _create(
                _linked(
                    string.concat(AAVE, "protocol/pool/PoolConfigurator.sol/PoolConfigurator.json"),
                    _one("ConfiguratorLogic"),
                    _oneAddress(configuratorLogic)
                )
            )
        );
        address usdcFeed = _deploy("MockV3Aggregator.sol:MockV3Aggregator", abi.encode(uint8(8), int256(1e8)));
        aaveWethFeed =
            MockV3Aggregator(_deploy("MockV3Aggregator.sol:MockV3Aggregator", abi.encode(uint8(8), int256(3_000e8))));
        address[] memory assets = new address[](2);
        (assets[0], assets[1]) = (address(usdc), address(weth));
        address[] memory sources = new address[](2);
        (sources[0], sources[1]) = (usdcFeed, address(aaveWethFeed));
        provider.setPriceOracle(
            _deploy(
                string.concat(AAVE, "misc/AaveOracle.sol/AaveOracle.json"),
                abi.encode(address(provider), assets, sources, address(0), address(0), 1e8)
            )
        );
        _aaveReserves(provider);
        _aaveSupply(_account("aaveLender"), usdc, 1_000_000e6);
        _aaveSupply(_account("aaveLender"), weth, 100 * WAD);
        _aaveBorrower(_account("aaveInUseBorrower"), 10 * WAD, 15_000e6);
        _nextBlock();
    }

    /// @dev The Pool implementation with its logic libraries deployed and linked (FlashLoanLogic links BorrowLogic).
    function _aavePoolImpl(address provider) internal returns (address) {
        string[7] memory names = [
            "SupplyLogic", "BorrowLogic", "LiquidationLogic", "EModeLogic", "BridgeLogic", "PoolLogic", "FlashLoanLogic"
        ];
        string[] memory libs = new string[](7);
        address[] memory at = new address[](7);
        for (uint256 i = 0; i < 7; ++i) {
            libs[i] = names[i];
            at[i] = i == 6 ? _aaveLibrary(names[i], "BorrowLogic", at[1]) : _aaveLibrary(names[i], "", address(0));
        }
        bytes memory code = _linked(string.concat(AAVE, "protocol/pool/Pool.sol/Pool.json"), libs, at);
        return _create(abi.encodePacked(code, abi.encode(provider)));
    }

    /// @dev Deploy the logic library `name`, linked to `dependency` at `dependencyAt` when it has one.
    function _aaveLibrary(string memory name, string memory dependency, address dependencyAt)
        internal
        returns (address deployed)
    {
        string memory artifact = string.concat(AAVE, AAVE_LOGIC, name, ".sol/", name, ".json");
        deployed = bytes(dependency).length == 0
            ? _deploy(artifact, "")
            : _create(_linked(artifact, _one(dependency), _oneAddress(dependencyAt)));
        if (deployed == address(0)) revert DeployFailed(artifact);
    }

    function _aaveReserves(IAaveAddressesProviderLike provider) internal {
        address pool = address(aave);
        string memory tokenization = string.concat(AAVE, "protocol/tokenization/");
        address aToken = _deploy(string.concat(tokenization, "AToken.sol/AToken.json"), abi.encode(pool));
        address stableDebt =
            _deploy(string.concat(tokenization, "StableDebtToken.sol/StableDebtToken.json"), abi.encode(pool));
        address variableDebt =
            _deploy(string.concat(tokenization, "VariableDebtToken.sol/VariableDebtToken.json"), abi.encode(pool));
        // 80 % optimal usage, 0 base, 4 % / 75 % slopes (Aave v3 mainnet's USDC and WETH shape)
        address strategy = _deploy(
            string.concat(
                AAVE, "protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json"
            ),
            abi.encode(provider, 0.8e27, 0, 0.04e27, 0.75e27, 0.02e27, 0.75e27, 0.01e27, 0.08e27, 0.2e27)
        );
        InitReserveInput[] memory input = new InitReserveInput[](2);
        input[0] = _reserveInput(usdc, 6, "USDC", aToken, stableDebt, variableDebt, strategy);
        input[1] = _reserveInput(weth, 18, "WETH", aToken, stableDebt, variableDebt, strategy);
        IAaveConfiguratorLike configurator = IAaveConfiguratorLike(provider.getPoolConfigurator());
        configurator.initReserves(input);
        // LTV, liquidation threshold, bonus (bps): Aave v3 mainnet-like
        configurator.configureReserveAsCollateral(address(usdc), 7_700, 8_000, 10_450);
        configurator.configureReserveAsCollateral(address(weth), 8_000, 8_250, 10_500);
        configurator.setReserveBorrowing(address(usdc), true);
        configurator.setReserveBorrowing(address(weth), true);
    }

    function _reserveInput(
        MockERC20 token,
        uint8 decimals,
        string memory symbol,
        address aToken,
        address stableDebt,
        address variableDebt,
        address strategy
    ) internal pure returns (InitReserveInput memory) {
        return InitReserveInput(
            aToken,
            stableDebt,
            variableDebt,
            decimals,
            strategy,
            address(token),
            TREASURY,
            address(0),
            string.concat("Aave ", symbol),
            string.concat("a", symbol),
            string.concat("Aave variable debt ", symbol),
            string.concat("variableDebt", symbol),
            string.concat("Aave stable debt ", symbol),
            string.concat("stableDebt", symbol),
            ""
        );
    }

    function _aaveSupply(address who, MockERC20 token, uint256 amount) internal {
        _fund(who, token, address(aave), amount);
        vm.prank(who);
        aave.supply(address(token), amount, who, 0);
    }

    /// @dev `collateral` WETH supplied, `borrowed` USDC borrowed at the variable rate.
    function _aaveBorrower(address who, uint256 collateral, uint256 borrowed) internal {
        _aaveSupply(who, weth, collateral);
        vm.prank(who);
        aave.borrow(address(usdc), borrowed, 2, 0, who);
    }

    function _aaveDebt(address who) internal view returns (uint256 debtBase) {
        (, debtBase,,,,) = aave.getUserAccountData(who);
    }

    // ---------------------------------------------------------------- linking published artifacts

    /// @notice The creation code of the hardhat artifact at `path` with each library `libs[i]` (one of Aave's logic
    /// libraries) linked at `at[i]`: its placeholder `__$<first 34 hex digits of keccak256(source:name)>$__`
    /// replaced by the address.
    function _linked(string memory path, string[] memory libs, address[] memory at)
        internal
        view
        returns (bytes memory)
    {
        string memory code = AVM.parseJsonString(AVM.readFile(path), ".bytecode");
        for (uint256 i = 0; i < libs.length; ++i) {
            string memory qualified = string.concat("contracts/", AAVE_LOGIC, libs[i], ".sol:", libs[i]);
            string memory placeholder =
                string.concat("__$", _hex(abi.encodePacked(keccak256(bytes(qualified))), 17), "$__");
            code = AVM.replace(code, placeholder, _hex(abi.encodePacked(at[i]), 20));
        }
        return AVM.parseBytes(code);
    }

    /// @dev The first `n` bytes of `data` as lower-case hex digits, without 0x.
    function _hex(bytes memory data, uint256 n) internal pure returns (string memory) {
        bytes memory digits = "0123456789abcdef";
        bytes memory out = new bytes(2 * n);
        for (uint256 i = 0; i < n; ++i) {
            out[2 * i] = digits[uint8(data[i]) >> 4];
            out[2 * i + 1] = digits[uint8(data[i]) & 0x0f];
        }
        return string(out);
    }

    function _one(string memory s) internal pure returns (string[] memory list) {
        list = new string[](1);
        list[0] = s;
    }

    function _oneAddress(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }
}
