import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "./escape-markdown.js";

describe("escapeMarkdown", () => {
  it("escapes cell borders, tags, entities, emphasis, code and links", () => {
    expect(escapeMarkdown("a|b")).toBe("a\\|b");
    expect(escapeMarkdown("<script>")).toBe("&lt;script&gt;");
    expect(escapeMarkdown("&amp;")).toBe("&amp;amp;");
    expect(escapeMarkdown("*x* _y_ `z` ~w~")).toBe("\\*x\\* \\_y\\_ \\`z\\` \\~w\\~");
    expect(escapeMarkdown("![i](u) [l](u)")).toBe("\\!\\[i\\](u) \\[l\\](u)");
  });

  it("escapes a backslash so it cannot unescape the next character", () => {
    expect(escapeMarkdown("\\|")).toBe("\\\\\\|");
  });

  it("turns line breaks into spaces so a row stays one line", () => {
    expect(escapeMarkdown("a\nb\r\nc\rd")).toBe("a b c d");
  });

  it("replaces terminal escapes and other control characters", () => {
    expect(escapeMarkdown("a\u001b[31mb\tc")).toBe("a\uFFFD\\[31mb\uFFFDc");
  });

  it("leaves ordinary text alone", () => {
    expect(escapeMarkdown("read patient-record 0.42% (12/2,850)")).toBe(
      "read patient-record 0.42% (12/2,850)",
    );
  });
});
