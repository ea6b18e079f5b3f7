import { type Logger, pino } from "pino";

export type { Logger };

/** Structured JSON logs on stderr (stdout stays free for reports); the level comes from the config. */
export function createLogger(level: string, name = "entitlement-diff"): Logger {
  return pino(
    { name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination(2),
  );
}
