import { type logCreator, logLevel } from "kafkajs";
import type { Logger } from "../../logging/logger.js";

/** How much of kafkajs' own logging to keep; `info` includes every group join, `debug` every request. */
export type KafkaLogLevel = "nothing" | "error" | "warn" | "info" | "debug";

export const KAFKAJS_LOG_LEVEL: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * Routes kafkajs' log lines into our structured logs (its default logger prints to stdout, which
 * stays free for reports). Each line keeps kafkajs' fields and says which kafkajs part wrote it.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _kafkajsLogger, ...fields } = log;
      const entry = { namespace, ...fields };
      if (level === logLevel.ERROR) kafkaLogger.error(entry, message);
      else if (level === logLevel.WARN) kafkaLogger.warn(entry, message);
      else if (level === logLevel.INFO) kafkaLogger.info(entry, message);
      else kafkaLogger.debug(entry, message);
    };
}
