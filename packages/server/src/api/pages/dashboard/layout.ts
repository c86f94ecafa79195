import type { FastifyReply } from "fastify";
import { esc } from "../../html.ts";
import type { Visitor } from "./session.ts";

/** Where the dashboard's one script is served (scripts come only from this service: see the policy). */
export const SCRIPT_PATH = "/dashboard/app.js";

const NAV = [
  ["/dashboard/calls", "Calls"],
  ["/dashboard/place", "Place a call"],
  ["/dashboard/usage", "Usage"],
  ["/dashboard/keys", "Keys"],
  ["/dashboard/preferences", "Preferences"],
  ["/dashboard/webhooks", "Webhooks"],
] as const;

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem 3rem;color:#1b1b1b;background:#fff;line-height:1.5}
a{color:#0b4fa8}a:focus,button:focus,input:focus,select:focus,textarea:focus,audio:focus{outline:3px solid #0b4fa8;outline-offset:2px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;border-bottom:1px solid #ccc;padding:.75rem 0}
header nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}
header nav a[aria-current=page]{font-weight:bold;text-decoration:none;color:#1b1b1b}
header form{margin-left:auto}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,select,textarea{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box;border:1px solid #767676;border-radius:3px}
textarea{min-height:6rem}
button{padding:.5rem 1rem;font-size:1rem;border:1px solid #0b4fa8;background:#0b4fa8;color:#fff;border-radius:3px;cursor:pointer}
button.plain{background:#fff;color:#0b4fa8}
.error{color:#a00000}.ok{color:#05600a}.muted{color:#595959}
.note{border-left:4px solid #a05a00;padding:.25rem .75rem;background:#fff7e6}
table{border-collapse:collapse;width:100%;margin-top:1rem}caption{text-align:left}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:0 1rem;align-items:end}
.filters button{margin-top:1rem}
.transcript{list-style:none;padding:0}.transcript li{padding:.35rem .5rem;border-left:4px solid #ccc;margin:.25rem 0}
.transcript .assistant{border-color:#0b4fa8}.transcript .user{border-color:#05600a}
.transcript .tool,.transcript .system{border-color:#767676;background:#f4f4f4;font-size:.95rem}
.transcript li:target{background:#fff7e6}
.role{font-weight:600;margin-right:.5rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.key{font-family:ui-monospace,monospace;word-break:break-all;background:#f4f4f4;padding:.5rem}
.inline{display:inline}
.key+button{margin-top:.5rem}
fieldset{border:1px solid #767676;border-radius:3px;margin:1rem 0;padding:.25rem .75rem .75rem}legend{font-weight:600;padding:0 .25rem}
.check{display:flex;gap:.5rem;align-items:baseline;margin:.35rem 0}.check input{width:auto}.check label{display:inline;margin:0;font-weight:normal}
`;

/** A dashboard page: the navigation, a sign-out form with its CSRF token, and the page's own body. */
export function dashboardPage(title: string, body: string, visitor: Visitor | null, current = ""): string {
  const nav = visitor
    ? `<header><nav aria-label="Dashboard"><ul>${NAV.map(
        ([href, label]) =>
          `<li><a href="${href}"${href === current ? ` aria-current="page"` : ""}>${label}</a></li>`,
      ).join("")}</ul></nav>
<form method="post" action="/dashboard/sign-out"><input type="hidden" name="csrf" value="${esc(visitor.csrf)}">
<span class="muted">${esc(visitor.account.email)}</span> <button type="submit" class="plain">Sign out</button></form></header>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ClawCall dashboard</title>
<style>${STYLE}</style>
<script src="${SCRIPT_PATH}" defer></script></head><body>
<a href="#main" class="muted">Skip to content</a>
${nav}
<main id="main"><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

/**
 * Sends a dashboard page that no cache keeps. Its policy lets in the dashboard's own script, event
 * stream and recordings (from this service, or from `mediaOrigin` when the carrier keeps them), nothing else.
 */
export function sendDashboard(reply: FastifyReply, status: number, html: string, mediaOrigin?: string) {
  const media = mediaOrigin ? `'self' ${mediaOrigin}` : "'self'";
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header(
      "content-security-policy",
      `default-src 'none'; script-src 'self'; connect-src 'self'; media-src ${media}; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' https:`,
    )
    .send(html);
}

/** A 303 to another dashboard page (after a form: the browser then GETs it). */
export const seeOther = (reply: FastifyReply, location: string) =>
  reply.status(303).header("location", location).header("cache-control", "no-store").send();

export const utc = (iso: string | null) => (iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—");
