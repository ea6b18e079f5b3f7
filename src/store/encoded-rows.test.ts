import { describe, expect, it } from "vitest";
import { decodeRows, type EncodedRows, joinEncoded, packEncodedRows, textOf } from "./encoded-rows.js";

const rows = (outcome: string, findings = ""): EncodedRows => ({
  outcome,
  findings,
  latent: "",
  replay: "",
  uses: "",
  facts: "",
  setAside: "",
});

describe("encoded rows", () => {
  it("packs many outcomes' rows into one buffer whose views read back as the same text", () => {
    const all = [rows('{"a":"zoë ✓"}\n', '{"f":1}\n{"f":2}\n'), rows('{"a":"b"}\n'), rows("")];
    const { packed, buffer } = packEncodedRows(all);
    expect(packed.map((r) => textOf(r.outcome))).toEqual(all.map((r) => r.outcome));
    expect(packed.map((r) => textOf(r.findings))).toEqual(all.map((r) => r.findings));
    expect(packed[0]?.outcome).toBeInstanceOf(Uint8Array);
    expect(packed[2]?.outcome).toBe("");
    expect(buffer.byteLength).toBe(
      Buffer.byteLength(all.map((r) => textOf(r.outcome) + textOf(r.findings)).join("")),
    );
  });

  it("joins text and bytes into one insert body, in order", () => {
    const { packed } = packEncodedRows([rows('{"n":2}\n')]);
    const body = joinEncoded(['{"n":1}\n', packed[0]?.outcome ?? "", '{"n":3}\n']);
    expect(decodeRows<{ n: number }>(body).map((r) => r.n)).toEqual([1, 2, 3]);
    expect(joinEncoded(["a", "b"])).toBe("ab");
  });
});
