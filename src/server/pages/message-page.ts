import { html } from "../../report/html-template.js";
import { layout } from "./layout.js";

export interface MessageView {
  title: string;
  message: string;
  /** Who is signed in, when known, so the nav stays usable on the way back. */
  subject?: string;
}

/** A page that only says something: not found, forbidden, or the store failing. */
export function renderMessage(view: MessageView): string {
  return layout({
    title: view.title,
    ...(view.subject === undefined ? {} : { subject: view.subject }),
    body: html`<h1>${view.title}</h1><p class="lead">${view.message}</p>`,
  });
}
