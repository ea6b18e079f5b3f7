import type { Report } from "../contracts/index.js";
import { renderHtml } from "../report/render-html.js";
import { renderMarkdown } from "../report/render-markdown.js";
import { renderText } from "../report/render-text.js";

export const REPORT_FORMATS = ["json", "markdown", "html", "text"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "markdown":
      return renderMarkdown(report);
    case "html":
      return renderHtml(report);
    case "text":
      return renderText(report);
  }
}

/** `--out report.html` implies html when no --format is given. */
export function formatFromPath(path: string | undefined): ReportFormat | undefined {
  if (!path) return undefined;
  if (/\.html?$/i.test(path)) return "html";
  if (/\.(md|markdown)$/i.test(path)) return "markdown";
  if (/\.json$/i.test(path)) return "json";
  if (/\.txt$/i.test(path)) return "text";
  return undefined;
}
