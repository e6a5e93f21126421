import { createHash } from 'node:crypto';
import type { OrganizerChoice } from './oauth.repository';
import type { ConnectedApplication } from './oauth.service';
import type { Scope } from './oauth.schemas';

/**
 * The login and consent pages: plain HTML forms that work without JavaScript, labelled for screen readers,
 * with one small inline stylesheet (the pages send a CSP that allows that stylesheet, by its hash, and nothing
 * else).
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Tagged template that escapes every interpolated value unless it is already rendered Html. */
class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = string | number | Html | readonly Html[] | null | undefined | false;

function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((part, i) => {
    if (part instanceof Html) out += part.value;
    else if (Array.isArray(part)) out += part.map((p: Html) => p.value).join('');
    else if (part !== null && part !== undefined && part !== false) out += escapeHtml(String(part));
    out += strings[i + 1]!;
  });
  return new Html(out);
}

export const STYLESHEET = `
:root{color-scheme:light;--ink:#1d2433;--muted:#5a6478;--line:#d9dee8;--brand:#3b2f8f;--brand-ink:#fff;
--bg:#f4f5fa;--danger:#a8201a;--focus:#f5b400}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
.brand{background:var(--brand);color:var(--brand-ink);padding:.75rem 1.25rem;font-weight:700;letter-spacing:.02em}
.brand span{display:inline-block;width:1.1rem;height:1.1rem;margin-right:.5rem;vertical-align:-.15rem;
border-radius:.25rem;background:linear-gradient(135deg,#fff 50%,#b9b1f0 50%)}
main{max-width:30rem;margin:2.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.75rem;padding:1.75rem;
box-shadow:0 1px 3px rgba(29,36,51,.08)}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 .5rem}
p{margin:.5rem 0}
.muted{color:var(--muted);font-size:.95rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=email],input[type=password]{width:100%;padding:.6rem .7rem;border:1px solid #aab2c3;
border-radius:.4rem;font:inherit}
fieldset{border:0;margin:1.25rem 0;padding:0;min-width:0}
legend{font-weight:600;padding:0;margin-bottom:.35rem}
legend .muted{font-weight:400}
fieldset label{font-weight:400;margin:.4rem 0;display:flex;gap:.6rem;align-items:flex-start;
border:1px solid var(--line);border-radius:.5rem;padding:.55rem .75rem;cursor:pointer}
fieldset label:has(input:checked){border-color:var(--brand);background:#f3f1fd}
fieldset input{margin-top:.3rem;width:1.05rem;height:1.05rem;flex:none}
ul.scopes{padding-left:1.2rem;margin:.5rem 0 0}
.actions{display:flex;gap:.75rem;margin-top:1.5rem;flex-wrap:wrap}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid var(--brand);
cursor:pointer;background:#fff;color:var(--brand)}
button.primary{background:var(--brand);color:var(--brand-ink)}
button.link{border:0;background:none;padding:0;color:var(--brand);text-decoration:underline;font-weight:400}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.error{border-left:4px solid var(--danger);background:#fdf0ef;color:var(--danger);padding:.6rem .8rem;
border-radius:.3rem;margin:1rem 0}
ul.apps{list-style:none;padding:0;margin:1rem 0}
li.app{display:flex;gap:1rem;justify-content:space-between;align-items:center;border:1px solid var(--line);
border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0}
li.app p{margin:.15rem 0 0}
time{white-space:nowrap}
.notice{border-left:4px solid #1f7a3d;background:#eef8f1;color:#155c2d;padding:.6rem .8rem;border-radius:.3rem}
footer{max-width:30rem;margin:0 auto 2rem;padding:0 1rem;color:var(--muted);font-size:.85rem}
code{font-size:.9em;overflow-wrap:anywhere}
`;

// Outside the html`` template, whose formatting would change the text the hash is taken of.
const STYLE_ELEMENT = `<style>${STYLESHEET}</style>`;

/** The CSP source that allows the pages' one inline stylesheet and no other. */
export const STYLESHEET_SOURCE = `'sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}'`;

function page(title: string, body: Html): string {
  return `<!doctype html>\n${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title} · tixport</title>
        ${new Html(STYLE_ELEMENT)}
      </head>
      <body>
        <header class="brand" role="banner"><span aria-hidden="true"></span>tixport</header>
        <main id="main">
          <div class="card">${body}</div>
        </main>
        <footer>tixport · pretix-compatible back-office API</footer>
      </body>
    </html>`.value
  }`;
}

function errorBox(message: string | undefined): Html | null {
  return message ? html`<div class="error" role="alert" id="form-error">${message}</div>` : null;
}

const hidden = (name: string, value: string | undefined) =>
  value === undefined ? null : html`<input type="hidden" name="${name}" value="${value}" />`;

export function loginPage(view: {
  appName?: string;
  next: string;
  csrfToken: string;
  email: string;
  error?: string;
}): string {
  return page(
    'Log in',
    html`<h1>Log in to tixport</h1>
      ${view.appName ? html`<p class="muted">to connect <strong>${view.appName}</strong> to your account.</p>` : null}
      ${errorBox(view.error)}
      <form method="post" action="/api/v1/oauth/login/" novalidate>
        ${hidden('csrf_token', view.csrfToken)}${hidden('next', view.next)}
        <label for="email">Email address</label>
        <input
          type="email"
          id="email"
          name="email"
          value="${view.email}"
          autocomplete="username"
          required
          autofocus
          ${view.error ? html`aria-describedby="form-error" aria-invalid="true"` : null}
        />
        <label for="password">Password</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="current-password"
          required
          ${view.error ? html`aria-describedby="form-error" aria-invalid="true"` : null}
        />
        <div class="actions"><button type="submit" class="primary">Log in</button></div>
      </form>`,
  );
}

const SCOPE_TEXT: Record<Scope, string> = {
  read: 'Read the data of the organizers you select below: events, products, orders and more.',
  write: 'Change the data of the organizers you select below, as far as your teams allow.',
  profile: 'See your name, email address, language and time zone.',
};

export function consentPage(view: {
  appName: string;
  redirectUri: string;
  userEmail: string;
  scopes: readonly Scope[];
  organizers: readonly OrganizerChoice[];
  params: Record<string, string | undefined>;
  csrfToken: string;
  logoutNext: string;
  error?: string;
}): string {
  const needsOrganizer = view.scopes.some((s) => s !== 'profile');
  const organizerBoxes = view.organizers.map(
    (o) =>
      html`<label
        ><input type="checkbox" name="organizers" value="${o.id}" />
        <span>${o.name} <span class="muted">(${o.slug})</span></span></label
      >`,
  );
  return page(
    `Authorize ${view.appName}`,
    html`<h1><strong>${view.appName}</strong> wants to access your tixport account</h1>
      <p class="muted">Signed in as <strong>${view.userEmail}</strong>.</p>
      ${errorBox(view.error)}
      <form method="post" action="/api/v1/oauth/authorize">
        ${hidden('csrf_token', view.csrfToken)}
        ${Object.entries(view.params).map(([name, value]) => hidden(name, value) ?? html``)}
        <p>If you allow it, this application may:</p>
        <ul class="scopes">
          ${view.scopes.map((s) => html`<li>${SCOPE_TEXT[s]}</li>`)}
        </ul>
        ${
          view.organizers.length > 0
            ? html`<fieldset${view.error ? html` aria-describedby="form-error"` : null}>
<legend>Which organizers may it access?${needsOrganizer ? html` <span class="muted">(at least one)</span>` : null}</legend>
${organizerBoxes}
</fieldset>`
            : needsOrganizer
              ? html`<p class="error" role="alert">You are not a member of any organizer team yet.</p>`
              : null
        }
        <p class="muted">You will be sent back to <code>${view.redirectUri}</code>.</p>
        <div class="actions">
          <button type="submit" name="allow" value="1" class="primary">Allow</button>
          <button type="submit" name="deny" value="1">Cancel</button>
        </div>
      </form>
      <form method="post" action="/api/v1/oauth/logout/" class="muted">
        ${hidden('csrf_token', view.csrfToken)}${hidden('next', view.logoutNext)}
        <p>Not you? <button type="submit" class="link">Log out</button></p>
      </form>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return page(
    title,
    html`<h1>${title}</h1>
      <p>${message}</p>
      ${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : null}`,
  );
}

export function connectedApplicationsPage(view: {
  userEmail: string;
  applications: readonly ConnectedApplication[];
  csrfToken: string;
  notice?: string;
}): string {
  const rows = view.applications.map(
    (app) =>
      html`<li class="app">
        <div>
          <strong>${app.name}</strong>
          <p class="muted">
            Connected since
            <time datetime="${app.since.toISOString()}">${app.since.toISOString().slice(0, 10)}</time>
          </p>
          <p class="muted">Access: ${app.scopes.join(', ')}</p>
          ${app.organizers.length > 0 ? html`<p class="muted">Organizers: ${app.organizers.join(', ')}</p>` : null}
        </div>
        <form method="post" action="/api/v1/oauth/applications/">
          ${hidden('csrf_token', view.csrfToken)}${hidden('application', String(app.applicationId))}
          <button type="submit" aria-label="Disconnect ${app.name}">Disconnect</button>
        </form>
      </li>`,
  );
  return page(
    'Connected applications',
    html`<h1>Connected applications</h1>
      <p class="muted">Signed in as <strong>${view.userEmail}</strong>.</p>
      ${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}
      ${
        rows.length > 0
          ? html`<ul class="apps">
              ${rows}
            </ul>`
          : html`<p>No application is connected to your account.</p>`
      }
      <p class="muted">Disconnecting an application ends all of its access at once.</p>`,
  );
}
