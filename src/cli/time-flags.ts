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
      if (!Number.isNaN(date.getTime())) return date;
    }
    throw new InvalidArgumentError(
      "expected an RFC 3339 time (2026-11-01T00:00:00Z), a date (2026-11-01) or a duration before now (7d, 12h)",
    );
  };
}
