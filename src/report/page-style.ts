/**
 * What the pages add to the report's look: the site bar, forms and the sparkline. Inline like the
 * report's, because the pages load nothing else (the CSP allows inline styles only).
 */
export const PAGE_STYLE = `
.site { background: var(--panel); border-bottom: 1px solid var(--line); }
.site .bar { max-width: 1400px; margin: 0 auto; padding: 10px 24px; display: flex; align-items: center;
  gap: 20px; flex-wrap: wrap; }
.brand { font-weight: 700; letter-spacing: -0.01em; text-decoration: none; }
.site nav ul { list-style: none; display: flex; align-items: center; gap: 4px; margin: 0; padding: 0; }
.site nav a { text-decoration: none; padding: 6px 10px; border-radius: 6px; color: var(--muted); }
.site nav a:hover { color: var(--ink); }
.site nav a[aria-current="page"] { color: var(--ink); background: var(--code-bg); font-weight: 600; }
.site nav form { margin: 0; }
.site nav a, .site nav button.link { display: block; line-height: 1.5; }
.site nav button.link { border: 0; background: none; padding: 6px 10px; font-size: 14px; color: var(--muted); }
.site nav button.link:hover { color: var(--ink); text-decoration: underline; }
.who { margin-left: auto; color: var(--muted); }
main { padding-bottom: 32px; }
main > h1 { margin-top: 28px; }
.lead { color: var(--muted); margin: 0 0 18px; max-width: 80ch; }
button, .button { font: inherit; font-size: 13px; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--line);
  background: var(--panel); color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.primary { background: var(--ink); border-color: var(--ink); color: var(--panel); font-weight: 600; }
select, input, textarea { font: inherit; color: var(--ink); background: var(--bg); border: 1px solid var(--line);
  border-radius: 6px; padding: 5px 8px; }
form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin: 0 0 16px;
  padding: 12px 14px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
form.filters label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
.pager { display: flex; gap: 12px; align-items: center; margin: 12px 0; }
.problem { padding: 8px 12px; border-left: 3px solid var(--fail); background: var(--fail-bg); border-radius: 4px; }
.problem ul { margin: 4px 0 0; padding-left: 18px; }
.login { max-width: 600px; margin: 56px auto; padding: 24px 28px; background: var(--panel);
  border: 1px solid var(--line); border-radius: 10px; }
.login h1 { margin-top: 0; }
.login label { display: block; font-weight: 600; margin: 16px 0 6px; }
.login textarea { width: 100%; min-height: 150px; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; }
.login .actions { margin-top: 14px; }
.sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; margin-top: 20px; }
.side { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.side h2 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.side .decision { font-size: 22px; }
.side p { margin: 6px 0 0; }
.provenance { margin-top: 20px; }
.spark { display: block; overflow: visible; }
.spark .base { stroke: var(--line); stroke-width: 1; }
.spark .limit { stroke: var(--fail); stroke-width: 1; stroke-dasharray: 3 2; opacity: 0.7; }
.spark .line { fill: none; stroke: var(--ink); stroke-width: 1.5; stroke-linejoin: round; }
.spark .dot { fill: var(--ink); }
.badge.expired { color: var(--muted); background: var(--code-bg); }
.badge.danger { color: var(--fail); background: var(--fail-bg); }
.over-limit { color: var(--fail); }
.nowrap, table.groups code, table.waivers code { white-space: nowrap; }
.seen { white-space: nowrap; }
.seen span { display: inline-block; min-width: 2.6em; color: var(--muted); }
dl.scope { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; }
dl.scope dt { color: var(--muted); }
dl.scope dd { margin: 0; }
`;
