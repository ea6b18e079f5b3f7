/** C0 controls (newline, tab and ESC included), DEL and C1: nothing a report string needs to print. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Replaces control characters, so report data cannot move a terminal's cursor, recolour it or
 * break a line a renderer needs to stay whole.
 */
export function replaceControlCharacters(text: string, replacement = "\uFFFD"): string {
  return text.replace(CONTROL, replacement);
}
