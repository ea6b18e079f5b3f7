import { describe, expect, it } from "vitest";
import { html, SafeHtml } from "./html-template.js";

describe("html", () => {
  it("escapes interpolated strings, including quotes for attributes", () => {
    const hostile = `"><script>alert('x')</script>&`;
    expect(html`<td title="${hostile}">${hostile}</td>`.value).toBe(
      '<td title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</td>',
    );
  });

  it("keeps nested templates and SafeHtml as markup, and joins arrays", () => {
    const items = ["a<b", "c"].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe("<ul><li>a&lt;b</li><li>c</li></ul>");
    expect(html`${new SafeHtml("<br>")}`.value).toBe("<br>");
  });

  it("renders numbers as text and null/undefined as nothing", () => {
    expect(html`${3}|${null}|${undefined}|${false}`.value).toBe("3|||false");
  });
});
