#!/usr/bin/env node
// build-anchors: compile the gas anchors that ship as Solidity sources only, so that the forge gas harness
// (tests/forge/gas/AnchorGas.t.sol) can deploy them beside ballast with `vm.getCode`.
//
// Morpho Blue: every source of the pinned npm package @morpho-org/morpho-blue (its src/ folder), compiled by the
// solc-js it pins (npm alias `solc-0.8.19`; Morpho.sol says `pragma solidity 0.8.19`) with Morpho Blue's own
// published settings: its foundry.toml at the v1.0.0 tag sets `via-ir = true` and `optimizer_runs = 999999`, the
// optimizer on and the EVM version left at the default (paris for solc 0.8.19). Written to out-anchors/morpho-blue/:
// one artifact per contract (`{contractName, sourceName, abi, bytecode}`, the shape `vm.getCode` reads) and
// manifest.json (package, compiler, settings, and the hash of the compiler input).
//
// Aave v3 needs no build: @aave/core-v3 publishes its compiled artifacts, which the harness links itself. Its compiler
// and settings (from the package's hardhat build-info) are written to out-anchors/aave-v3/manifest.json, so that the
// bench's report can say how the anchors were built without reading that 30 MB file.
//
// Idempotent: when manifest.json records the same input hash and every artifact is there, nothing is compiled (the
// Makefile also runs this only when the script or the npm set changed). Nothing is downloaded.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const PACKAGE = "@morpho-org/morpho-blue";
const PACKAGE_DIR = path.join(ROOT, "node_modules", PACKAGE);
const COMPILER_DIR = path.join(ROOT, "node_modules", "solc-0.8.19");
const OUT_DIR = path.join(ROOT, "out-anchors", "morpho-blue");
const MANIFEST = path.join(OUT_DIR, "manifest.json");
const AAVE_PACKAGE = "@aave/core-v3";
const AAVE_DIR = path.join(ROOT, "node_modules", AAVE_PACKAGE);
const AAVE_MANIFEST = path.join(ROOT, "out-anchors", "aave-v3", "manifest.json");

// Morpho Blue's foundry.toml at v1.0.0: via-ir, 999,999 optimizer runs, the compiler's default EVM (paris).
const SETTINGS = {
  optimizer: { enabled: true, runs: 999999 },
  viaIR: true,
  evmVersion: "paris",
};
const SETTINGS_SOURCE = "Morpho Blue's foundry.toml at v1.0.0 (via-ir = true, optimizer_runs = 999999; default EVM)";

// The contracts the harness deploys: the protocol and the interest rate model mock (the oracle mock too, for
// anyone measuring with a fixed price).
const CONTRACTS = {
  "src/Morpho.sol": ["Morpho"],
  "src/mocks/IrmMock.sol": ["IrmMock"],
  "src/mocks/OracleMock.sol": ["OracleMock"],
};

function fail(message) {
  process.stderr.write(`build-anchors: ${message}\n`);
  process.exit(1);
}

function solidityFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...solidityFiles(full));
    else if (entry.name.endsWith(".sol")) found.push(full);
  }
  return found.sort();
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/// The compiler and settings of Aave's published artifacts (one hardhat build-info for the whole package).
function describeAave() {
  if (!fs.existsSync(path.join(AAVE_DIR, "package.json"))) fail(`${AAVE_PACKAGE} is not installed: run \`npm ci\``);
  const version = readJson(path.join(AAVE_DIR, "package.json")).version;
  if (fs.existsSync(AAVE_MANIFEST)) {
    try {
      if (readJson(AAVE_MANIFEST).version === version) return;
    } catch (_) {
      // an unreadable manifest is rewritten below
    }
  }
  const dbg = readJson(path.join(AAVE_DIR, "artifacts/contracts/protocol/pool/Pool.sol/Pool.dbg.json"));
  const info = readJson(path.join(AAVE_DIR, "artifacts/contracts/protocol/pool/Pool.sol", dbg.buildInfo));
  const { optimizer, evmVersion, viaIR } = info.input.settings;
  const manifest = {
    package: AAVE_PACKAGE,
    version,
    compiler: `solc ${info.solcVersion} (the package's published hardhat artifacts)`,
    settings: { optimizer, viaIR: Boolean(viaIR), evmVersion },
  };
  fs.mkdirSync(path.dirname(AAVE_MANIFEST), { recursive: true });
  fs.writeFileSync(AAVE_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}

function main() {
  describeAave();
  if (!fs.existsSync(path.join(PACKAGE_DIR, "src", "Morpho.sol"))) {
    fail(`${PACKAGE} is not installed (node_modules/${PACKAGE}/src/Morpho.sol missing): run \`npm ci\``);
  }
  if (!fs.existsSync(path.join(COMPILER_DIR, "soljson.js"))) {
    fail("solc-0.8.19 (npm alias of solc 0.8.19) is not installed: run `npm ci`");
  }
  const packageVersion = readJson(path.join(PACKAGE_DIR, "package.json")).version;
  const compilerVersion = readJson(path.join(COMPILER_DIR, "package.json")).version;

  const sources = {};
  for (const file of solidityFiles(path.join(PACKAGE_DIR, "src"))) {
    sources[path.relative(PACKAGE_DIR, file).split(path.sep).join("/")] = {
      content: fs.readFileSync(file, "utf8"),
    };
  }
  const outputSelection = {};
  for (const [source, names] of Object.entries(CONTRACTS)) {
    if (!(source in sources)) fail(`${PACKAGE} ${packageVersion} has no ${source}`);
    outputSelection[source] = Object.fromEntries(names.map((n) => [n, ["abi", "evm.bytecode.object"]]));
  }
  const input = { language: "Solidity", sources, settings: { ...SETTINGS, outputSelection } };
  const inputText = JSON.stringify(input);
  const inputHash = crypto
    .createHash("sha256")
    .update(`${compilerVersion}\n${fs.readFileSync(__filename, "utf8")}\n${inputText}`)
    .digest("hex");

  const artifacts = Object.values(CONTRACTS).flat().map((name) => path.join(OUT_DIR, `${name}.json`));
  if (fs.existsSync(MANIFEST) && artifacts.every((f) => fs.existsSync(f))) {
    try {
      if (readJson(MANIFEST).inputHash === inputHash) return;
    } catch (_) {
      // an unreadable manifest is rebuilt below
    }
  }

  const started = Date.now();
  const solc = require(COMPILER_DIR);
  const output = JSON.parse(solc.compile(inputText));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    fail(`solc ${compilerVersion} failed on ${PACKAGE} ${packageVersion}:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  }

  fs.mkdirSync(OUT_DIR, { recursive: true });
  const written = {};
  for (const [source, names] of Object.entries(CONTRACTS)) {
    for (const name of names) {
      const contract = output.contracts?.[source]?.[name];
      const object = contract?.evm?.bytecode?.object;
      if (!object) fail(`no bytecode for ${source}:${name} in the compiler output`);
      const artifact = { contractName: name, sourceName: source, abi: contract.abi, bytecode: `0x${object}` };
      fs.writeFileSync(path.join(OUT_DIR, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      written[name] = { source, bytes: object.length / 2 };
    }
  }
  const manifest = {
    package: PACKAGE,
    version: packageVersion,
    compiler: `solc ${compilerVersion} (solc-js, npm alias solc-0.8.19)`,
    settings: SETTINGS,
    settingsSource: SETTINGS_SOURCE,
    contracts: written,
    inputHash,
  };
  fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `built ${PACKAGE} ${packageVersion} with solc ${compilerVersion} (via-IR, ${SETTINGS.optimizer.runs} runs, ` +
      `${SETTINGS.evmVersion}) in ${seconds} s: ${path.relative(ROOT, OUT_DIR)}/\n`,
  );
}

main();
