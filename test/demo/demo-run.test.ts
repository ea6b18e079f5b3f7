import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

describe("npm run demo (the built demo, --once)", () => {
  it("replays the file, then serves the pages and API on the embedded store fed over HTTP, and stops", () => {
    const run = spawnSync(
      process.execPath,
      ["dist/examples/health-tech/demo.js", "--once", "--port", "0", "--rate", "200", "--duration", "5"],
      { cwd: ROOT, encoding: "utf8", timeout: 240_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("HTML report: out/demo-report.html");
    expect(run.stdout).toMatch(/Review pages: http:\/\/127\.0\.0\.1:\d+\/login/);
    const token = run.stdout.split("\n").find((line) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(line));
    expect(token).toBeDefined();
    expect(run.stdout).toMatch(/the simulator posted 1,000 events at \d+\/s; the store now says:/);
    // The status table after the feed: every cohort, the patients' gate decided on stored pairs.
    const table = run.stdout.slice(run.stdout.indexOf("the store now says:"));
    expect(table).toMatch(/^cohort\s+stage\s+gate\s+pairs/m);
    expect(table).toMatch(/^patients\s+shadow\s+\S+.*\s[1-9][\d,]*\s/m);
  }, 300_000);
});
