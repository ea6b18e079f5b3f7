import { replaceControlCharacters } from "./control-characters.js";

const ENTITY: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Makes report text inert inside Markdown, including table cells: line breaks become spaces
 * (a newline would end the table row) and other control characters are replaced; `&`, `<`, `>`
 * become entities so no tag or entity survives even a lax renderer; the characters that start
 * emphasis, code, links or cell borders are backslash-escaped. A hostile correlation id or policy
 * reason cannot inject a link, a tag or a column into a CI summary.
 */
export function escapeMarkdown(text: string): string {
  return replaceControlCharacters(text.replace(/\r\n?|\n/g, " "))
    .replace(/[&<>]/g, (c) => ENTITY[c] ?? c)
    .replace(/[\\`*_[\]|~!#]/g, (c) => `\\${c}`);
}
