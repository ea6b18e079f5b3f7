import { z } from "zod";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;

/** A span such as `90s`, `30m`, `12h`, `7d` or `2w`: one whole number and one unit. */
export const durationSchema = z
  .string()
  .regex(DURATION, "a duration such as 30m, 12h, 7d or 2w (a whole number and one of s, m, h, d, w)")
  .refine((text) => durationMs(text) > 0, "a duration must be longer than 0");

/** Milliseconds of a duration written as `durationSchema` accepts; NaN for anything else. */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) return Number.NaN;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}
