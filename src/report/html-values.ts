import { html, type SafeHtml } from "./html-template.js";

/** An instant as people read it (UTC, to the second), with the exact value kept in `datetime`. */
export function timeOf(iso: string): SafeHtml {
  const at = new Date(iso);
  // A value the store did not write as a time is still shown, as the text it is.
  if (Number.isNaN(at.getTime())) return html`${iso}`;
  const text = `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return html`<time datetime="${at.toISOString()}">${text}</time>`;
}

/** A rule id or similar identifier; null means the system had none, which is worth saying. */
export function codeOrNone(value: string | null): SafeHtml {
  return value === null ? html`<span class="muted">none</span>` : html`<code>${value}</code>`;
}

/**
 * Pair ids are 64-character hashes: a prefix tells them apart on screen, the full id stays in the
 * link and its title.
 */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}
