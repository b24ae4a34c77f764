#!/usr/bin/env node
// Runs the TypeScript sources through tsx so that `npm ci` is the only setup step (no build).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
