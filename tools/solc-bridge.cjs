#!/usr/bin/env node
// solc-bridge: a `solc` command-line stand-in backed by solc-js (the npm package `solc`).
//
// py-solc-x (used by ape-solidity) and forge only ever call a compiler as
//   solc --version
//   solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths A,B] < input.json
// so that is the whole surface implemented here. Output is written with a single
// process.stdout.write and the exit code is set through process.exitCode: calling
// process.exit() after a large write truncates piped output at 64 KiB.
"use strict";

const fs = require("fs");
const path = require("path");

const solc = require(path.join(__dirname, "..", "node_modules", "solc"));

function usage(message) {
  process.stderr.write(`solc-bridge: ${message}\n`);
  process.stderr.write("usage: solc --version | solc --standard-json [--base-path DIR] " +
    "[--include-path DIR]... [--allow-paths A,B] [-]\n");
  process.exitCode = 2;
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--version" || arg === "-v") opts.version = true;
    else if (arg === "--standard-json") opts.standardJson = true;
    else if (arg === "--base-path") opts.basePath = takeValue();
    else if (arg === "--include-path") opts.includePaths.push(takeValue());
    else if (arg === "--allow-paths") opts.allowPaths.push(...takeValue().split(",").filter(Boolean));
    else if (arg === "-") continue; // read from stdin, which --standard-json does anyway
    else if (arg.startsWith("--base-path=")) opts.basePath = arg.slice("--base-path=".length);
    else if (arg.startsWith("--include-path=")) opts.includePaths.push(arg.slice("--include-path=".length));
    else if (arg.startsWith("--allow-paths=")) {
      opts.allowPaths.push(...arg.slice("--allow-paths=".length).split(",").filter(Boolean));
    } else throw new Error(`unsupported argument '${arg}'`);
  }
  return opts;
}

function isInside(file, root) {
  const rel = path.relative(root, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

// Resolve an import the way solc does: relative to the base path, then each include path;
// absolute paths as they are. Only files under the base, include or allowed paths are read.
function makeImportCallback(opts) {
  const base = path.resolve(opts.basePath || process.cwd());
  const searchRoots = [base, ...opts.includePaths.map((p) => path.resolve(p))];
  const allowedRoots = [...searchRoots, ...opts.allowPaths.map((p) => path.resolve(p))];
  return function findImport(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : searchRoots.map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      const resolved = path.resolve(candidate);
      if (!allowedRoots.some((root) => isInside(resolved, root))) continue;
      try {
        return { contents: fs.readFileSync(resolved, "utf8") };
      } catch (err) {
        if (err.code !== "ENOENT" && err.code !== "EISDIR") return { error: `${resolved}: ${err.message}` };
      }
    }
    return { error: `File not found inside the base path or any of the include paths: ${importPath}` };
  };
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    usage(err.message);
    return;
  }
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) {
    usage("only --version and --standard-json are supported");
    return;
  }
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const input = Buffer.concat(chunks).toString("utf8");
    // solc.compile never throws on bad input: it returns a JSON object with `errors`.
    const output = solc.compile(input, { import: makeImportCallback(opts) });
    process.stdout.write(output.endsWith("\n") ? output : output + "\n");
  });
}

main();
