import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors/errors.js";
import { isGzip, readTarGz } from "./bundle-archive.js";

const work = mkdtempSync(path.join(tmpdir(), "bundle-archive-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LONG_DIR = `${"deeply-nested-directory-name-".repeat(5)}end`;
const LONG_NAME = `${"a-very-long-file-name-".repeat(6)}.rego`;

/** Archives the same files with GNU tar in the given format and returns the .tar.gz bytes. */
function tarGz(format: "ustar" | "gnu" | "pax", files: Record<string, string>): Buffer {
  const root = mkdtempSync(path.join(work, `${format}-`));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  const out = path.join(work, `${path.basename(root)}.tar.gz`);
  execFileSync("tar", [`--format=${format}`, "-czf", out, "-C", root, ...Object.keys(files)]);
  return readFileSync(out);
}

describe("readTarGz", () => {
  const files = {
    "data.json": '{"a":1}',
    "policy.wasm": "\0asm-not-really",
    [`${LONG_DIR}/${LONG_NAME}`]: "package long\n",
    "empty.rego": "",
    [`sub/${"x".repeat(200)}.txt`]: "y".repeat(1500),
  };

  it.each(["gnu", "pax"] as const)(
    "reads every regular file of a %s archive, long names included",
    (format) => {
      const entries = readTarGz(tarGz(format, files), "bundle.tar.gz");
      expect(new Map([...entries].map(([name, bytes]) => [name, bytes.toString("utf8")]))).toEqual(
        new Map(Object.entries(files)),
      );
    },
  );

  it("reads ustar names split into prefix and name", () => {
    const ustar = { [`${LONG_DIR}/short.rego`]: "package short\n", "data.json": "{}" };
    const entries = readTarGz(tarGz("ustar", ustar), "bundle.tar.gz");
    expect(entries.get(`${LONG_DIR}/short.rego`)?.toString()).toBe("package short\n");
  });

  it("strips leading / and ./ as opa build writes them", () => {
    const withDot = tarGz("pax", { "data.json": "{}" }); // tar stores ./ when asked for "."
    expect([...readTarGz(withDot, "b.tar.gz").keys()]).toEqual(["data.json"]);
  });

  it("refuses what is not gzip", () => {
    expect(() => readTarGz(Buffer.from("plain text"), "b.tar.gz")).toThrow(ConfigError);
    expect(() => readTarGz(Buffer.from("plain text"), "b.tar.gz")).toThrow(
      /^b\.tar\.gz: not a gzip-compressed bundle/,
    );
  });

  it("refuses gzip that is not a tar archive", () => {
    expect(() => readTarGz(gzipSync("{}".padEnd(600, " ")), "b.tar.gz")).toThrow(
      /not an OPA bundle: not a tar archive/,
    );
  });

  it("refuses a truncated archive", () => {
    const tar = execFileSync("gzip", ["-dc"], { input: tarGz("pax", { "big.txt": "z".repeat(5000) }) });
    const truncated = gzipSync(tar.subarray(0, 512 * 3));
    expect(() => readTarGz(truncated, "b.tar.gz")).toThrow(/is truncated/);
  });

  it("tells gzip by its magic bytes", () => {
    expect(isGzip(gzipSync("x"))).toBe(true);
    expect(isGzip(Buffer.from("\0asm"))).toBe(false);
  });
});
