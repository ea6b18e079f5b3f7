import { InvalidArgumentError } from "commander";
import { durationMs } from "../contracts/index.js";

/**
 * `--since`/`--until`: an RFC 3339 time (`2026-11-01T00:00:00Z`, or a bare date meaning its
 * midnight UTC) or a duration before now (`7d`, `12h`).
 */
export function timeFlag(now: () => Date): (value: string) => Date {
  return (value) => {
    const ago = durationMs(value);
    if (Number.isFinite(ago)) return new Date(now().getTime() - ago);
    if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
      const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
      // Date rolls 2026-02-30 over to March; a day that does not exist is a typo, not March.
      const [y, m, d] = value.slice(0, 10).split("-").map(Number);
      const sameDay = (t: Date) =>
        t.getUTCFullYear() === y && t.getUTCMonth() + 1 === m && t.getUTCDate() === d;
      const asWritten =
        value.length === 10 || /Z$/.test(value) ? date : new Date(`${value.slice(0, 10)}T00:00:00Z`);
      if (!Number.isNaN(date.getTime()) && sameDay(asWritten)) return date;
    }
    throw new InvalidArgumentError(
      "expected an RFC 3339 time (2026-11-01T00:00:00Z), a date (2026-11-01) or a duration before now (7d, 12h)",
    );
  };
}
