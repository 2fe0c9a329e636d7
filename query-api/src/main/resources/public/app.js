// The dashboard: uses only the public API, with the token given in the URL fragment
// (#token=...; never sent to the server as part of the URL) or typed in, kept for the tab.
"use strict";
(function () {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) { sessionStorage.setItem("sentinel-token", fromHash); history.replaceState(null, "", location.pathname); }
  const $ = (id) => document.getElementById(id);
  const token = () => sessionStorage.getItem("sentinel-token") || "";
  let service = null, metric = "latency_ms";

  async function api(path, method, body) {
    const init = { method: method || "GET", headers: { Authorization: "Bearer " + token() } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    const r = await fetch(path, init);
    if (r.status === 401) { $("auth").hidden = false; throw new Error("a valid API token is needed"); }
    if (!r.ok) { const p = await r.json().catch(() => ({})); throw new Error(p.detail || ("HTTP " + r.status)); }
    return r.json();
  }
  // A link only to an http(s) address; any other text (javascript:, data:, relative, garbage) is
  // shown as text. Data never reaches innerHTML: every value goes through textContent or href.
  function httpUrl(u) {
    if (typeof u !== "string") return null;
    try { const x = new URL(u); return x.protocol === "https:" || x.protocol === "http:" ? x.href : null; } catch (e) { return null; }
  }
  function linkOrText(parent, label, url) {
    const href = httpUrl(url);
    const el = document.createElement(href ? "a" : "span");
    el.textContent = label;
    if (href) { el.href = href; el.target = "_blank"; el.rel = "noopener noreferrer"; }
    parent.appendChild(el);
    return el;
  }
  // The alert's exemplar requests: a link to each in the trace viewer when one is configured
  // (alerts.trace-url-template), else the trace id to look up.
  function exemplarCell(tr, exemplars) {
    const td = cell(tr, "", "exemplars");
    for (const x of (Array.isArray(exemplars) ? exemplars : [])) {
      if (!x || typeof x.trace_id !== "string") continue;
      const el = linkOrText(td, x.trace_id, x.url);
      el.className = "trace";
      el.dataset.traceId = x.trace_id;
      if (x.span_id) el.title = "span " + x.span_id;
    }
    return td;
  }
  function button(label, onClick) { const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.addEventListener("click", onClick); return b; }
  async function act(fn) { try { await fn(); $("status").textContent = "done"; setTimeout(refresh, 500); } catch (e) { $("status").textContent = e.message; } }

  // Alerts: open, acknowledged, resolved; acknowledge and label them (the API records the
  // token's name as the author: nothing here says who you are).
  async function refreshAlerts() {
    const page = await api("/api/v1/alerts?limit=50");
    const body = $("alerts").querySelector("tbody");
    body.replaceChildren();
    for (const a of page.items) {
      const tr = document.createElement("tr");
      tr.dataset.alertId = a.alert_id; tr.dataset.state = a.state;
      if (a.acknowledged) tr.dataset.acknowledged = a.acknowledged.by;
      if (a.label) tr.dataset.label = a.label;
      cell(tr, text(a.opened_at || a.time).replace("T", " ").replace("Z", ""));
      cell(tr, a.state === "open" ? (a.acknowledged ? "open, acknowledged" : "open") : "resolved", "state-" + a.state);
      const sev = document.createElement("span"); sev.className = "sev-" + a.severity; sev.textContent = a.severity;
      cell(tr, "").appendChild(sev);
      cell(tr, text(a.service)); cell(tr, text(a.model)); cell(tr, text(a.metric));
      exemplarCell(tr, a.exemplars);
      const runbook = cell(tr, "");
      if (a.runbook_url) linkOrText(runbook, httpUrl(a.runbook_url) ? "runbook" : a.runbook_url, a.runbook_url).className = "runbook";
      cell(tr, a.acknowledged ? a.acknowledged.by : "");
      cell(tr, text(a.label).replace("_", " ") + (a.labelled_by ? " (" + a.labelled_by + ")" : ""));
      const actions = cell(tr, "");
      if (!a.acknowledged) actions.appendChild(button("ack", () => act(() => api("/api/v1/anomalies/" + a.alert_id + "/ack", "POST", {}))));
      actions.appendChild(button("✓ real", () => act(() => api("/api/v1/anomalies/" + a.alert_id + "/feedback", "POST", { label: "true_positive" }))));
      actions.appendChild(button("✗ false alarm", () => act(() => api("/api/v1/anomalies/" + a.alert_id + "/feedback", "POST", { label: "false_positive" }))));
      body.appendChild(tr);
    }
    if (!page.items.length) { const tr = document.createElement("tr"); cell(tr, "no alerts in the last 24 hours", "empty").colSpan = 11; body.appendChild(tr); }
  }

  async function refreshSilences() {
    const page = await api("/api/v1/silences");
    const body = $("silences").querySelector("tbody");
    body.replaceChildren();
    for (const c of page.items) {
      const tr = document.createElement("tr");
      tr.dataset.silenceId = c.id;
      cell(tr, c.id); cell(tr, c.type);
      cell(tr, Object.entries(c.match || {}).map(([k, v]) => k + "=" + v).join(", "));
      cell(tr, text(c.until).replace("T", " ").replace("Z", ""));
      cell(tr, text(c.author) + (c.on_behalf_of ? " for " + c.on_behalf_of : "")); cell(tr, text(c.reason || c.note));
      cell(tr, "").appendChild(button("lift", () => act(() => api("/api/v1/silences/" + c.id, "DELETE"))));
      body.appendChild(tr);
    }
    if (!page.items.length) { const tr = document.createElement("tr"); cell(tr, "nothing is silenced", "empty").colSpan = 7; body.appendChild(tr); }
  }
  const text = (v) => (v === undefined || v === null) ? "" : String(v);
  const num = (v) => (typeof v === "number") ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : "";
  function cell(tr, value, cls) { const td = document.createElement("td"); td.textContent = value; if (cls) td.className = cls; tr.appendChild(td); return td; }

  async function refreshAnomalies() {
    const page = await api("/api/v1/anomalies?limit=50");
    const body = $("anomalies").querySelector("tbody");
    body.replaceChildren();
    for (const a of page.items) {
      const tr = document.createElement("tr");
      tr.dataset.anomalyId = a.anomaly_id;
      cell(tr, text(a.event_time).replace("T", " ").replace("Z", ""));
      const sev = document.createElement("span"); sev.className = "sev-" + a.severity; sev.textContent = a.severity;
      cell(tr, "").appendChild(sev);
      cell(tr, text(a.anomaly_type)); cell(tr, text(a.service)); cell(tr, text(a.model)); cell(tr, text(a.metric));
      cell(tr, num(a.value), "num"); cell(tr, num(a.baseline && a.baseline.mean), "num");
      cell(tr, (a.detectors || []).join(", "));
      body.appendChild(tr);
    }
    if (!page.items.length) { const tr = document.createElement("tr"); cell(tr, "no anomalies in the last 24 hours", "empty").colSpan = 9; body.appendChild(tr); }
  }

  async function refreshServices() {
    const s = await api("/api/v1/services");
    const sel = $("service");
    if (sel.options.length !== s.items.length) {
      sel.replaceChildren(...s.items.map((n) => new Option(n, n)));
      $("silence-service").replaceChildren(...s.items.map((n) => new Option(n, n)));
    }
    if (!service || !s.items.includes(service)) service = s.items[0] || null;
    sel.value = service || "";
    const msel = $("metric");
    if (!msel.options.length) {
      for (const m of ["latency_ms", "ttft_ms", "output_tokens", "total_tokens", "cost_usd", "output_tokens_per_second"]) msel.add(new Option(m, m));
      msel.value = metric;
    }
  }

  // One chart per key: the live baseline (median line, IQR band) and the recent raw values.
  async function refreshCharts() {
    const box = $("charts");
    if (!service) { box.textContent = "no services yet"; return; }
    const [b, t] = await Promise.all([
      api("/api/v1/baselines?service=" + encodeURIComponent(service) + "&metric=" + metric),
      api("/api/v1/telemetry?service=" + encodeURIComponent(service) + "&limit=300&from=" + new Date(Date.now() - 3600e3).toISOString()),
    ]);
    box.replaceChildren();
    for (const base of b.items) {
      const values = t.items.filter((r) => r.model === base.model && typeof r[metric] === "number").reverse();
      box.appendChild(chart(base, values.map((r) => [Date.parse(r.time), r[metric]])));
    }
    if (!b.items.length) box.textContent = "no baseline for " + metric + " yet";
  }

  function chart(base, points) {
    const div = document.createElement("div"); div.className = "chart";
    const h = document.createElement("h3");
    h.textContent = base.model + " / " + base.provider + " / " + base.operation + " — " + metric + " (median " + num(base.median) + ", " + base.samples + " samples)";
    div.appendChild(h);
    const W = 360, H = 140, ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg"); svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    const ys = points.map((p) => p[1]).concat([base.q1, base.q3, base.median].filter((v) => typeof v === "number"));
    const lo = Math.min(...ys), hi = Math.max(...ys) || 1;
    const y = (v) => H - 8 - (H - 16) * ((v - lo) / ((hi - lo) || 1));
    const t0 = points.length ? points[0][0] : 0, t1 = points.length ? points[points.length - 1][0] : 1;
    const x = (t) => 4 + (W - 8) * ((t - t0) / ((t1 - t0) || 1));
    const el = (name, attrs) => { const e = document.createElementNS(ns, name); for (const k in attrs) e.setAttribute(k, attrs[k]); svg.appendChild(e); return e; };
    if (typeof base.q1 === "number" && typeof base.q3 === "number")
      el("rect", { x: 0, y: y(base.q3), width: W, height: Math.max(1, y(base.q1) - y(base.q3)), fill: "#dbe7fb" });
    if (typeof base.median === "number")
      el("line", { x1: 0, x2: W, y1: y(base.median), y2: y(base.median), stroke: "#1a5fd0", "stroke-width": 1.5 });
    if (points.length > 1)
      el("polyline", { points: points.map((p) => x(p[0]) + "," + y(p[1])).join(" "), fill: "none", stroke: "#444", "stroke-width": 1 });
    div.appendChild(svg);
    return div;
  }

  async function refresh() {
    try {
      await refreshAlerts();
      await refreshSilences().catch((e) => { $("silences").querySelector("tbody").textContent = e.message; });
      await refreshAnomalies();
      await refreshServices();
      await refreshCharts();
      $("status").textContent = "updated " + new Date().toLocaleTimeString();
      document.body.dataset.loaded = "true";
    } catch (e) {
      $("status").textContent = e.message;
    }
  }
  $("auth").addEventListener("submit", (ev) => { ev.preventDefault(); sessionStorage.setItem("sentinel-token", $("token").value); $("auth").hidden = true; refresh(); });
  $("service").addEventListener("change", (ev) => { service = ev.target.value; refreshCharts(); });
  $("silence-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const until = new Date(Date.now() + Number($("silence-hours").value) * 3600e3).toISOString();
    const reason = $("silence-reason").value;
    act(() => api("/api/v1/silences", "POST", Object.assign({ match: { service: $("silence-service").value }, until: until }, reason ? { reason: reason } : {})));
  });
  $("metric").addEventListener("change", (ev) => { metric = ev.target.value; refreshCharts(); });
  refresh();
  setInterval(refresh, 10000);
})();
