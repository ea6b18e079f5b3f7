import { describe, expect, it } from "vitest";
import { renderText } from "./render-text.js";
import { hostileReport, sampleReport, sampleReportWithLatent } from "./sample-report.fixture.js";

describe("renderText", () => {
  it("prints one aligned row per cohort, a totals row, the totals and why cohorts did not pass", () => {
    expect(renderText(sampleReport())).toBe(
      [
        "cohort            pairs  mismatched  over  under  subject  invalid  policy err  unpaired  drift  gate",
        "clinicians        2,850          18     2      9        4        3           1        35      1  fail",
        "patients          3,000           2     0      2        0        0           0        30      3  pass",
        "service-accounts    400           0     0      0        0        0           0         0      0  insufficient evidence",
        "total             6,250          20     2     11        4        3           1        65      4  1 pass, 1 fail, 1 insufficient evidence",
        "",
        "events 12,551 · duplicates 7 · rejected 2 · pairs 6,250 · unpaired 65 · findings 49",
        "clinicians: fail: 2 over-permissions > allowed 0",
        "service-accounts: insufficient evidence: 400 pairs < minimum 1,000: not enough evidence to decide",
        "",
      ].join("\n"),
    );
  });

  it("colours only the gate status, and only when asked", () => {
    const plain = renderText(sampleReport());
    expect(plain).not.toContain("\u001b");
    const coloured = renderText(sampleReport(), { color: true }).split("\n");
    expect(coloured[1]?.endsWith("\u001b[31mfail\u001b[0m")).toBe(true);
    expect(coloured[2]?.endsWith("\u001b[32mpass\u001b[0m")).toBe(true);
    expect(coloured[3]?.endsWith("\u001b[33minsufficient evidence\u001b[0m")).toBe(true);
    expect(coloured[4]).not.toContain("\u001b");
  });

  it("keeps control characters in report data away from the terminal", () => {
    const text = renderText(hostileReport());
    expect(text).not.toContain("\u001b");
    expect(text.split("\n")[1]).toMatch(
      /^clinicians<script>alert\("x"\)<\/script> & 'q' \| \[l\]\(u\) \?\?\[31m/,
    );
  });

  it("prints only the header, totals and totals line when no cohort saw traffic", () => {
    const lines = renderText({ ...sampleReport(), cohorts: [] }).split("\n");
    expect(lines[0]).toBe(
      "cohort  pairs  mismatched  over  under  subject  invalid  policy err  unpaired  drift  gate",
    );
    expect(lines[1]).toBe(
      "total       0           0     0      0        0        0           0         0      0",
    );
    expect(lines).toHaveLength(5);
  });
});

describe("renderText: latent drift", () => {
  it("names each latent over-permission on a line of its own, and not the exercised ones", () => {
    const text = renderText(sampleReportWithLatent());
    expect(text).toContain(
      "latent over-permission: nurses write lab_result (care-team, 219 of 219 principals)",
    );
    expect(text).not.toContain("latent over-permission: billing");
  });
});
