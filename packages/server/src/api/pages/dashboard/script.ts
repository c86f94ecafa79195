import type { FastifyInstance } from "fastify";
import { SCRIPT_PATH } from "./layout.ts";

/**
 * The dashboard's only script, served from this service so the pages' policy can refuse every inline
 * and foreign script. Everything it does is a nicety over pages that work without it: the call page's
 * live status and transcript (from the session's event stream), the recording's time left, and a Copy
 * button beside a secret shown once.
 * Lines are drawn as call-page.ts's transcriptLine draws them.
 */
const SCRIPT = `"use strict";
(function () {
  var ROLES = { assistant: "Agent", user: "Callee", tool: "Action", system: "Event" };
  function line(entry, index) {
    var li = document.createElement("li");
    li.id = "line-" + index;
    li.className = entry.role;
    var role = document.createElement("span");
    role.className = "role";
    role.textContent = ROLES[entry.role] || entry.role;
    li.appendChild(role);
    li.appendChild(document.createTextNode((entry.tool ? entry.tool + ": " : "") + entry.text));
    return li;
  }

  function followCall(list) {
    var status = document.getElementById("call-status");
    var source = new EventSource(list.getAttribute("data-events"));
    var count = 0;
    source.addEventListener("open", function () {
      // The stream starts with every line so far: draw them afresh, after a reconnect too.
      list.textContent = "";
      count = 0;
    });
    source.addEventListener("status", function (e) {
      var event = JSON.parse(e.data);
      if (status) status.textContent = event.lifecycle === "finalized" ? (event.outcome || event.status) : event.status;
      if (event.lifecycle === "finalized") {
        source.close();
        // The outcome, result, latency and recording are drawn by the server: fetch the final page.
        setTimeout(function () { location.reload(); }, 1500);
      }
    });
    source.addEventListener("transcript", function (e) {
      list.appendChild(line(JSON.parse(e.data).entry, count++));
      list.setAttribute("data-lines", String(count));
    });
  }

  function countDown(box) {
    var until = Date.parse(box.getAttribute("data-expires-at"));
    var left = box.querySelector("[data-time-left]");
    function tick() {
      var ms = until - Date.now();
      if (ms <= 0) {
        box.textContent = "The recording has expired and was deleted.";
        clearInterval(timer);
        return;
      }
      var s = Math.ceil(ms / 1000);
      if (left) left.textContent = Math.floor(s / 60) + " min " + (s % 60) + " s left";
    }
    var timer = setInterval(tick, 1000);
    tick();
  }

  function copyButton(field) {
    if (!navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "plain";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the " + (field.labels && field.labels[0] ? field.labels[0].textContent : "value"));
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
    });
    field.insertAdjacentElement("afterend", button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var copyable = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < copyable.length; i++) copyButton(copyable[i]);
    var list = document.querySelector("[data-events]");
    if (list && window.EventSource) {
      followCall(list);
      var reload = document.querySelector("[data-reload]");
      if (reload) reload.hidden = true;
    }
    var box = document.querySelector("[data-expires-at]");
    if (box) countDown(box);
    if (document.querySelector("[data-recording-pending]")) setTimeout(function () { location.reload(); }, 3000);
  });
})();
`;

export function registerDashboardScript(app: FastifyInstance): void {
  app.get(SCRIPT_PATH, async (_req, reply) =>
    reply
      .header("content-type", "text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=300")
      .send(SCRIPT),
  );
}
