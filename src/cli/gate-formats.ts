import type { GateEvaluation, GateStatus } from "../contracts/index.js";
import { renderGateJunit } from "../report/gate/render-gate-junit.js";
import { renderGateMarkdown } from "../report/gate/render-gate-markdown.js";
import { renderGateText } from "../report/gate/render-gate-text.js";

export const GATE_FORMATS = ["text", "json", "markdown", "junit"] as const;
export type GateFormat = (typeof GATE_FORMATS)[number];

export function renderGate(e: GateEvaluation, format: GateFormat): string {
  switch (format) {
    case "text":
      return renderGateText(e);
    case "json":
      return `${JSON.stringify(e, null, 2)}\n`;
    case "markdown":
      return renderGateMarkdown(e);
    case "junit":
      return renderGateJunit(e);
  }
}

/** 0 pass, 1 fail, 2 insufficient evidence: what a CI step branches on (docs/gates.md). */
export const GATE_EXIT_CODE: Readonly<Record<GateStatus, number>> = {
  pass: 0,
  fail: 1,
  insufficient_evidence: 2,
};
