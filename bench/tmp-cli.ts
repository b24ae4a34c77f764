import { Command } from "commander";
import { registerRead } from "../src/cli/commands/read.ts";
let code = 0;
const ctx = { stdout: process.stdout, stderr: process.stderr, setExitCode: (c: number) => { code = c; } };
const program = new Command("inlet");
registerRead(program, ctx);
await program.parseAsync(process.argv);
process.exitCode = code;
