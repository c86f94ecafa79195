import type { FastifyReply, FastifyRequest } from "fastify";

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A plain page: no scripts, no external assets. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ClawCall</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.5rem}label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}.ok{color:#060}.muted{color:#666;font-size:.9rem}
</style></head><body><h1>${esc(title)}</h1>
${body}
</body></html>`;
}

/** Sends a page that no cache keeps: account pages carry the caller's key in their links. */
export const sendHtml = (reply: FastifyReply, status: number, body: string) =>
  reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(body);

/** A form post's fields (bodies arrive as text, see app.ts). */
export const readForm = (req: FastifyRequest) =>
  new URLSearchParams(typeof req.body === "string" ? req.body : "");

export const formatSeconds = (s: number) => `${Math.floor(s / 60)} min ${s % 60} s`;

/** Names a key the way people can check it against their assistant's: its first characters. */
export const keyName = (hint: string) => `clawcall_sk_${hint}…`;
