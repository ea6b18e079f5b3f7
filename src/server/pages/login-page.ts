import { html } from "../../report/html-template.js";
import { layout } from "./layout.js";

export interface LoginView {
  /** Why the last attempt was refused, or why the session ended. */
  problem?: string;
}

/** GET /login: paste a token; it is kept in an HttpOnly cookie, never shown or stored elsewhere. */
export function renderLogin(view: LoginView = {}): string {
  const problem = view.problem === undefined ? "" : html`<p class="problem" role="alert">${view.problem}</p>`;
  return layout({
    title: "Log in",
    body: html`<section class="login">
<h1>Log in</h1>
<p class="lead">Paste a bearer token for the review API with the role <code>reviewer</code> (or <code>admin</code>). It is kept in an HttpOnly cookie until it expires.</p>
${problem}
<form method="post" action="/login">
<label for="token">Bearer token</label>
<textarea id="token" name="token" required autocomplete="off" spellcheck="false" placeholder="eyJhbGciOi..."></textarea>
<p class="muted small">Local use: <code>npx entitlement-diff api-token --config &lt;file&gt; --role reviewer</code></p>
<div class="actions"><button type="submit" class="primary">Log in</button></div>
</form>
</section>`,
  });
}
