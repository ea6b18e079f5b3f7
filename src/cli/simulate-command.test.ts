import { afterEach, describe, expect, it, vi } from "vitest";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { main } from "./main.js";
import { formatSummary } from "./simulate-command.js";

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(["node", "entitlement-diff", ...args]);
  vi.restoreAllMocks();
  return { code, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("entitlement-diff simulate: usage", () => {
  it("refuses a run too short for the demo's planted cases before connecting (exit 64)", async () => {
    const { code, stderr } = await cli("simulate", "-c", DEMO_CONFIG_FILE, "--rate", "10", "--duration", "5");
    expect(code).toBe(64);
    expect(stderr).toMatch(/50 events; the demo traffic needs at least 200/);
  });

  it("refuses rates and durations that are not positive numbers, and a missing one (exit 64)", async () => {
    const base = ["simulate", "-c", DEMO_CONFIG_FILE];
    expect((await cli(...base, "--rate", "fast", "--duration", "5")).code).toBe(64);
    expect((await cli(...base, "--rate", "100", "--duration", "0")).code).toBe(64);
    expect((await cli(...base, "--rate", "100")).code).toBe(64);
    expect((await cli(...base, "--rate", "100", "--duration", "5", "--seed", "1.5")).code).toBe(64);
  });

  it("fails on a config that does not load (exit 78)", async () => {
    const { code, stderr } = await cli(
      "simulate",
      "-c",
      "/no/such/config.yaml",
      "--rate",
      "100",
      "--duration",
      "5",
    );
    expect(code).toBe(78);
    expect(stderr).toContain("/no/such/config.yaml");
  });
});

describe("formatSummary", () => {
  const summary = {
    seed: 7,
    start: "2026-05-01T10:00:00.000Z",
    targetRate: 500,
    planned: 1_000,
    sent: 1_000,
    bySide: { legacy: 503, new: 497 },
    lifecycle: 0,
    unkeyed: 1,
    elapsedMs: 2_004,
    achievedRate: 499.0,
    completed: true,
  };

  it("says what was sent, how fast, where, and how to repeat it", () => {
    const text = formatSummary(summary);
    expect(text).toContain("sent 1000 of 1000 events in 2.00 s: 499 events/s (target 500)");
    expect(text).toContain(
      "legacy 503 (1 unkeyed), new 497; seed 7, event times from 2026-05-01T10:00:00.000Z",
    );
  });

  it("counts the token lifecycle events apart", () => {
    expect(formatSummary({ ...summary, lifecycle: 42 })).toContain("new 497, token lifecycle 42; seed 7");
  });

  it("says when the run was stopped early", () => {
    expect(formatSummary({ ...summary, completed: false, sent: 300 })).toMatch(
      /^stopped early after 300 of 1000/,
    );
  });
});
