import { WEBHOOK_EVENT_TYPES, type WebhookDelivery, type WebhookEventType } from "@clawcall/contract";
import type { Endpoint } from "../../../webhooks/endpoints.ts";
import { esc } from "../../html.ts";
import { utc } from "./layout.ts";

/** What the webhook form shows: the saved settings, or what was just sent when it was refused. */
export interface WebhookFormValues {
  url: string;
  events: readonly string[];
}

const EVENT_HINTS: Record<WebhookEventType, string> = {
  "call.started": "a call is placed",
  "call.status": "its status changes (ringing, in progress, …)",
  "call.transcript": "each line of the transcript",
  "call.completed": "the call is over, with its outcome and result",
};

const hidden = (csrf: string) => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;

/** The secret, once: a read-only field a person can select and copy (the script adds a Copy button). */
export function secretNotice(secret: string, what: string): string {
  return `<div role="status" class="note"><p class="ok"><strong>${esc(what)}</strong> Copy it now: it is not shown again.
Your receiver checks each delivery's <code>ClawCall-Signature</code> with it.</p>
<label for="new-secret">Signing secret</label>
<input id="new-secret" class="key" readonly value="${esc(secret)}" data-copy autocomplete="off" spellcheck="false"></div>`;
}

export function currentWebhook(endpoint: Endpoint | null): string {
  if (!endpoint?.url) {
    return `<p>No webhook is set: calls are not reported anywhere. Set an https:// address below to be told
of this account's calls as they happen.</p>`;
  }
  return `<dl class="facts" id="webhook">
<dt>Address</dt><dd><code>${esc(endpoint.url)}</code></dd>
<dt>Events</dt><dd>${endpoint.events.map((e) => `<code>${esc(e)}</code>`).join(", ")}</dd>
<dt>Signing secret</dt><dd><code>${esc(endpoint.secretHint)}…</code> <span class="muted">(its first characters)</span></dd>
<dt>Changed</dt><dd>${esc(utc(endpoint.updatedAt))}</dd>
</dl>`;
}

export function webhookForm(csrf: string, values: WebhookFormValues, error?: string): string {
  const boxes = WEBHOOK_EVENT_TYPES.map(
    (
      e,
    ) => `<div class="check"><input type="checkbox" id="ev-${e}" name="events" value="${e}"${values.events.includes(e) ? " checked" : ""}>
<label for="ev-${e}"><code>${e}</code>: ${esc(EVENT_HINTS[e])}</label></div>`,
  ).join("\n");
  const invalid = error
    ? ` aria-invalid="true" aria-describedby="h-url webhook-error"`
    : ` aria-describedby="h-url"`;
  return `${error ? `<p class="error" role="alert" id="webhook-error">${esc(error)}</p>` : ""}
<form method="post" action="/dashboard/webhooks">${hidden(csrf)}
<label for="w-url">Address (URL)</label>
<input id="w-url" name="url" value="${esc(values.url)}" inputmode="url" autocomplete="off" spellcheck="false"${invalid}>
<p class="muted" id="h-url">An https:// address on the public internet; private and loopback addresses are refused.</p>
<fieldset><legend>Events to send</legend>
${boxes}
</fieldset>
<p><button type="submit">Save the webhook</button></p></form>`;
}

/** Rotating and removing: offered once a webhook is set. */
export function webhookActions(csrf: string): string {
  return `<h2>Signing secret</h2>
<form method="post" action="/dashboard/webhooks/rotate">${hidden(csrf)}
<p>A new secret is shown once; the old one stops signing at once, so update your receiver right after.</p>
<button type="submit">Make a new signing secret</button></form>
<h2>Remove</h2>
<form method="post" action="/dashboard/webhooks/remove">${hidden(csrf)}
<p>Calls are no longer reported, and deliveries still waiting are given up.</p>
<button type="submit" class="plain">Remove the webhook</button></form>`;
}

function deliveryRow(d: WebhookDelivery, csrf: string): string {
  const call = `<a href="/dashboard/calls/${encodeURIComponent(d.call_id)}">${esc(d.call_id.slice(0, 8))}…</a>`;
  // A delivered row's last answer was its 2xx: not an error to show.
  const failure =
    d.status === "delivered"
      ? ""
      : [d.last_status_code !== null ? `HTTP ${d.last_status_code}` : "", d.last_error ?? ""]
          .filter(Boolean)
          .join(": ");
  const error = failure ? esc(failure) : "—";
  const status =
    d.status === "pending" && d.next_attempt_at
      ? `pending (next try ${esc(utc(d.next_attempt_at))})`
      : d.status;
  const replayOf = d.replay_of ? ` <span class="muted">(replay)</span>` : "";
  return `<tr><td><code>${esc(d.event_type)}</code>${replayOf}</td><td>${call}</td><td>${status}</td><td>${d.attempts}</td>
<td>${error}</td><td>${esc(utc(d.created_at))}</td>
<td><form method="post" action="/dashboard/webhooks/replay" class="inline">${hidden(csrf)}
<input type="hidden" name="delivery_id" value="${esc(d.id)}">
<button type="submit" class="plain" aria-label="Replay ${esc(d.event_type)} of call ${esc(d.call_id.slice(0, 8))}, sent ${esc(utc(d.created_at))}">Replay</button></form></td></tr>`;
}

export function deliveryTable(deliveries: WebhookDelivery[], csrf: string): string {
  if (deliveries.length === 0) {
    return `<h2 id="deliveries">Recent deliveries</h2><p>No deliveries yet. They appear here once a call is reported.</p>`;
  }
  return `<h2 id="deliveries">Recent deliveries</h2>
<p class="muted">Replay sends a delivery's event again (the same event id, a new delivery) to the address it went to.</p>
<table aria-labelledby="deliveries"><thead><tr><th scope="col">Event</th><th scope="col">Call</th><th scope="col">Status</th>
<th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Time</th><th scope="col">Replay</th></tr></thead>
<tbody>${deliveries.map((d) => deliveryRow(d, csrf)).join("")}</tbody></table>`;
}
