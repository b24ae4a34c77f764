/**
 * The logging port of connections: pino's `(object, message)` form, so a Fastify request logger
 * fits as is. Nothing logged here carries a secret: ids, kinds, statuses and redacted messages only.
 */
export interface ConnectionLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** For callers without a logger (the run executor may pass its own): one JSON line on stderr. */
export const stderrLogger: ConnectionLogger = {
  error: (details, message) => writeLine("error", details, message),
  warn: (details, message) => writeLine("warn", details, message),
};

function writeLine(level: string, details: object, message: string): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: Date.now(), component: "connections", ...details, msg: message })}\n`,
  );
}
