import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedDriver } from "../../src/store/embedded-driver.js";
import { StoreError } from "../../src/store/store-errors.js";

/** What the embedded engine guarantees that the store's design relies on (docs/store.md). */
describe("embedded engine (chdb) properties the store relies on", () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "ed-engine-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A node process running `script` (ESM, chdb importable), and its stdout lines. */
  function child(script: string): { proc: ChildProcess; lines: AsyncIterableIterator<string> } {
    const proc = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: process.cwd(),
      stdio: ["pipe", "pipe", "ignore"],
    });
    children.push(proc);
    if (!proc.stdout) throw new Error("no stdout");
    return { proc, lines: createInterface({ input: proc.stdout })[Symbol.asyncIterator]() };
  }

  it("refuses a data directory another process holds, with an error that says so", async () => {
    const dir = tempDir();
    const holder = child(`
      import { Session } from "chdb";
      const s = new Session(${JSON.stringify(dir)});
      console.log("ready");
      process.stdin.on("end", () => s.close()); process.stdin.resume();`);
    expect((await holder.lines.next()).value).toBe("ready");
    const failure = await openEmbeddedDriver(dir).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect(String(failure)).toMatch(/another process holds the directory/);
  });

  it("opens one data directory per process: a second one fails until the first is closed", async () => {
    const first = await openEmbeddedDriver(tempDir());
    const second = tempDir();
    try {
      await expect(openEmbeddedDriver(second)).rejects.toThrow(/one data directory per process/);
    } finally {
      await first.close();
    }
    const reopened = await openEmbeddedDriver(second);
    await reopened.close();
  });

  it("keeps every acknowledged insert when the process is killed with SIGKILL", async () => {
    const dir = tempDir();
    const writer = child(`
      import { Session } from "chdb";
      const s = new Session(${JSON.stringify(dir)});
      await s.queryAsync("CREATE TABLE t (x UInt32) ENGINE = ReplacingMergeTree ORDER BY x");
      for (let i = 0; ; i++) {
        const rows = Array.from({ length: 100 }, (_, k) => JSON.stringify({ x: i * 100 + k })).join("\\n");
        await s.insert({ table: "t", values: Buffer.from(rows + "\\n"), format: "JSONEachRow" });
        console.log((i + 1) * 100);
      }`);
    let acknowledged = 0;
    while (acknowledged < 3_000) acknowledged = Number((await writer.lines.next()).value);
    writer.proc.kill("SIGKILL");
    await new Promise((resolve) => writer.proc.once("exit", resolve));
    for (let next = await writer.lines.next(); !next.done; next = await writer.lines.next())
      acknowledged = Number(next.value);

    const driver = await openEmbeddedDriver(dir);
    try {
      const [row] = await driver.query<{ n: number }>("SELECT count() AS n FROM default.t");
      expect(row?.n).toBeGreaterThanOrEqual(acknowledged);
    } finally {
      await driver.close();
    }
  });

  it("runs queries off the event loop", async () => {
    const driver = await openEmbeddedDriver(tempDir());
    try {
      let maxLag = 0;
      let last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last - 5);
        last = now;
      }, 5);
      const started = performance.now();
      // The engine's thread sleeps half a second; a blocking call would stall the timer as long.
      await driver.query("SELECT sleep(0.5) AS slept");
      const took = performance.now() - started;
      clearInterval(tick);
      expect(took).toBeGreaterThanOrEqual(490);
      expect(maxLag).toBeLessThan(100);
    } finally {
      await driver.close();
    }
  });
});
