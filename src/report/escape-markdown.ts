/**
 * Makes report text inert inside Markdown, including table cells: line breaks become spaces
 * (a newline would end the table row), and the characters that start emphasis, code, links,
 * HTML, entities or cell borders are backslash-escaped, so a hostile correlation id or policy
 * reason cannot inject a link, a tag or a column into a CI summary.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, " ").replace(/[\\`*_[\]<>|~&!#]/g, (c) => `\\${c}`);
}
