// blendcc live wallboard: sign in, then render /ws/supervisor stats snapshots and a feed of events.
"use strict";

const TOKEN_KEY = "blendcc.token";
const REFRESH_KEY = "blendcc.refresh"; // access tokens live 15 minutes; the refresh token renews them
const FEED_SIZE = 16;
const SL_TARGET = 0.8; // colour hint only: green at or above, amber within 15 points, red below
const STALE_AFTER_MS = 5000;
const STATES = ["available", "reserved", "busy", "wrap_up", "aux", "offline"];
const STATE_LABEL = {available: "Available", reserved: "Ringing", busy: "On contact", wrap_up: "Wrap-up",
                     aux: "Aux", offline: "Offline"};

const $ = (id) => document.getElementById(id);
const view = {snapshot: null, receivedAt: 0, socket: null, retryMs: 1000, retryTimer: null, feed: [],
              names: {agents: {}, queues: {}}};

// ------------------------------------------------------------------ formatting

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v; else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function dur(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "—";
  s = Math.max(0, Math.round(s));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

function pct(r) {
  return r === null || r === undefined ? "—" : `${(r * 100).toFixed(r >= 0.9995 || r === 0 ? 0 : 1)}%`;
}

function slClass(r) {
  if (r === null || r === undefined) return "";
  return r >= SL_TARGET ? "good" : r >= SL_TARGET - 0.15 ? "warn" : "bad";
}

const TIME_FORMAT = {hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"};
const clockTime = (epochS) => new Date(epochS * 1000).toLocaleTimeString([], TIME_FORMAT);

const shortId = (id) => (id || "").slice(0, 6);
const agentName = (id) => view.names.agents[id] || id;
const queueName = (id) => view.names.queues[id] || id;
const elapsed = () => (view.snapshot ? Math.max(0, (Date.now() - view.receivedAt) / 1000) : 0);

// ------------------------------------------------------------------ rendering

function renderLegend() {
  $("legend").replaceChildren(...["available", "reserved", "busy", "wrap_up", "aux"].map((st) =>
    h("span", {class: "legend-item"}, h("span", {class: `dot st-${st}`}), STATE_LABEL[st])));
}

function renderTiles(s) {
  const waiting = s.queues.reduce((n, q) => n + q.waiting, 0);
  const longest = Math.max(0, ...s.queues.filter((q) => q.waiting > 0).map((q) => q.longest_wait_s + elapsed()));
  const by = Object.fromEntries(STATES.map((st) => [st, 0]));
  for (const a of s.agents) by[a.state] = (by[a.state] || 0) + 1;
  const handled = s.queues.reduce((n, q) => n + q.today.handled, 0);
  const abandoned = s.queues.reduce((n, q) => n + q.today.abandoned, 0);
  const tiles = [
    ["Waiting now", waiting, waiting > 0 ? "warn" : ""],
    ["Longest wait", waiting ? dur(longest) : "—", longest > 60 ? "bad" : ""],
    ["Logged in", s.agents.length - by.offline, ""],
    ["Available", by.available, "st-available"],
    ["On contact", by.busy + by.reserved, "st-busy"],
    ["Wrap-up", by.wrap_up, "st-wrap_up"],
    ["Aux", by.aux, "st-aux"],
    ["Handled today", handled, ""],
    ["Abandoned today", abandoned, abandoned ? "bad" : ""],
  ];
  $("tiles").replaceChildren(...tiles.map(([label, value, cls]) =>
    h("div", {class: `tile ${cls}`}, h("div", {class: "tile-value"}, value), h("div", {class: "tile-label"}, label))));
}

function agentBadges(counts) {
  return h("span", {class: "badges"}, ["available", "reserved", "busy", "wrap_up", "aux"]
    .filter((st) => counts[st] > 0)
    .map((st) => h("span", {class: `badge st-${st}`, title: STATE_LABEL[st]}, counts[st])));
}

function renderQueues(s) {
  const rows = s.queues.map((q) => {
    const t = q.today;
    return h("tr", {},
      h("td", {class: "left strong"}, q.name),
      h("td", {class: q.waiting ? "num hot" : "num"}, q.waiting),
      h("td", {class: "num"}, q.waiting ? dur(q.longest_wait_s + elapsed()) : "—"),
      h("td", {class: "left"}, agentBadges(q.agents)),
      h("td", {class: "num"}, t.offered),
      h("td", {class: "num"}, t.handled),
      h("td", {class: "num"}, t.abandoned),
      h("td", {class: `num ${slClass(t.service_level)}`}, pct(t.service_level)),
      h("td", {class: "num"}, dur(t.asa_s)),
      h("td", {class: "num"}, dur(t.aht_s)),
      h("td", {class: "num"}, pct(t.abandon_rate)));
  });
  if (!rows.length) rows.push(h("tr", {}, h("td", {colspan: 11, class: "empty"}, "No queues configured")));
  $("queues").tBodies[0].replaceChildren(...rows);
}

function loadText(load) {
  const parts = Object.entries(load || {}).filter(([, n]) => n > 0).map(([ch, n]) => `${ch} ${n}`);
  return parts.length ? parts.join(", ") : "—";
}

function renderAgents(s) {
  const rows = s.agents.map((a) => h("tr", {class: a.state === "offline" ? "dim" : ""},
    h("td", {class: "left strong"}, a.name),
    h("td", {class: "left"}, h("span", {class: `state st-${a.state}`}, STATE_LABEL[a.state] || a.state),
      a.reason ? h("span", {class: "reason"}, a.reason) : null),
    h("td", {class: "num"}, a.state === "offline" ? "—" : dur(a.time_in_state_s + elapsed())),
    h("td", {class: "left small"}, loadText(a.load)),
    h("td", {class: "num"}, a.handled_today),
    h("td", {class: "num"}, pct(a.occupancy_today))));
  if (!rows.length) rows.push(h("tr", {}, h("td", {colspan: 6, class: "empty"}, "No agents configured")));
  $("agents").tBodies[0].replaceChildren(...rows);
}

function render() {
  const s = view.snapshot;
  if (!s) return;
  renderTiles(s);
  renderQueues(s);
  renderAgents(s);
}

// ------------------------------------------------------------------ event feed

function describe(m) {
  const c = shortId(m.contact_id);
  switch (m.type) {
    case "ContactCreated": return ["new", `New ${m.channel} contact ${c}`];
    case "ContactQueued":
      return ["queue", `${c} queued in ${queueName(m.queue_id)}${m.reason !== "new" ? ` (${m.reason})` : ""}`];
    case "ContactOverflowed":
      return ["warn", `${c} overflowed ${queueName(m.from_queue_id)} → ${queueName(m.to_queue_id)}`];
    case "ContactOffered": return ["offer", `${c} offered to ${agentName(m.agent_id)}`];
    case "OfferRevoked": return ["warn", `Offer of ${c} to ${agentName(m.agent_id)} ended: ${m.reason}`];
    case "ContactConnected": return ["good", `${agentName(m.agent_id)} answered ${c} after ${dur(m.wait_s)}`];
    case "ContactHeld": return ["muted", `${agentName(m.agent_id)} put ${c} on hold`];
    case "ContactTransferred":
      return ["queue", `${agentName(m.from_agent_id)} transferred ${c} to ${m.to_agent_id
        ? agentName(m.to_agent_id) : queueName(m.to_queue_id)}`];
    case "WrapUpCompleted":
      return ["muted", `${agentName(m.agent_id)} wrapped up ${c}${m.disposition ? `: ${m.disposition}` : ""}`];
    case "ContactAbandoned": return ["bad", `${c} abandoned after ${dur(m.wait_s)}`];
    case "ContactTimedOut": return ["bad", `${c} timed out in ${queueName(m.queue_id)}`];
    case "ContactRejected": return ["bad", `${c} rejected: ${m.reason}`];
    case "AgentLoggedIn": return ["good", `${agentName(m.agent_id)} logged in`];
    case "AgentLoggedOut": return ["muted", `${agentName(m.agent_id)} logged out`];
    case "AgentStatusChanged":
      return [m.status === "aux" ? "warn" : "good",
        `${agentName(m.agent_id)} is ${m.status}${m.reason ? ` (${m.reason})` : ""}${m.by ? ` by ${m.by}` : ""}`];
    default: return null; // routing steps, state derivations and closes add noise, not information
  }
}

function addEvent(m) {
  const d = describe(m);
  if (!d) return;
  view.feed.unshift({at: m.at, kind: d[0], text: d[1]});
  view.feed.length = Math.min(view.feed.length, FEED_SIZE);
  $("feed").replaceChildren(...view.feed.map((e) =>
    h("li", {class: `ev ev-${e.kind}`}, h("time", {}, clockTime(e.at)), h("span", {}, e.text))));
}

// ------------------------------------------------------------------ data

function setSnapshot(s) {
  view.snapshot = s;
  view.receivedAt = Date.now();
  view.names.agents = Object.fromEntries(s.agents.map((a) => [a.id, a.name]));
  view.names.queues = Object.fromEntries(s.queues.map((q) => [q.id, q.name]));
  render();
}

function setConn(state, text) {
  const el = $("conn");
  el.hidden = false;
  el.className = `pill pill-${state}`;
  el.textContent = text;
}

async function api(path, options = {}, retried = false) {
  const headers = {"Content-Type": "application/json", ...(options.headers || {})};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, {...options, headers});
  const body = await r.json().catch(() => ({}));
  if (r.status === 401 && !retried && !path.startsWith("/api/auth/") && await refreshTokens()) {
    return api(path, options, true);
  }
  if (!r.ok) throw Object.assign(new Error(body.detail || r.statusText), {status: r.status, code: body.error});
  return body;
}

// Exchange the refresh token for a new access token (the refresh token rotates); false if the session ended.
async function refreshTokens() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (!refresh) return false;
  const r = await fetch("/api/auth/refresh", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({refresh_token: refresh})}).catch(() => null);
  if (!r || !r.ok) { sessionStorage.removeItem(REFRESH_KEY); return false; }
  const body = await r.json();
  sessionStorage.setItem(TOKEN_KEY, body.access_token);
  sessionStorage.setItem(REFRESH_KEY, body.refresh_token);
  return true;
}

async function loadOnce() {
  try {
    setSnapshot(await api("/api/stats/live"));
  } catch (err) {
    if (err.status === 401 || err.status === 403) signOut(err.status === 403 ? "This account cannot see the wallboard." : "");
  }
}

function connect() {
  clearTimeout(view.retryTimer);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return;
  const proto = location.protocol === "https:" ? "wss" : "ws";
  // the token travels as a subprotocol, never in the URL (the server answers with "blendcc.v1")
  const ws = new WebSocket(`${proto}://${location.host}/ws/supervisor`, ["blendcc.v1", `bearer.${token}`]);
  view.socket = ws;
  ws.onopen = () => { view.retryMs = 1000; setConn("live", "live"); loadOnce(); };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.stream === "stats") setSnapshot(m); else addEvent(m);
  };
  ws.onclose = (e) => {
    if (view.socket !== ws) return;
    view.socket = null;
    if (e.code === 4401) {
      refreshTokens().then((ok) => { if (ok) connect(); else signOut("Please sign in again."); });
      return;
    }
    if (e.code === 4403) {
      signOut(e.code === 4403 ? "This account cannot see the wallboard (supervisor role needed)." : "Please sign in again.");
      return;
    }
    setConn("off", "reconnecting…");
    view.retryTimer = setTimeout(connect, view.retryMs);
    view.retryMs = Math.min(view.retryMs * 2, 10000);
  };
}

// ------------------------------------------------------------------ views

function showBoard() {
  $("login-view").hidden = true;
  $("board-view").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = "";
  api("/api/auth/me").then((me) => { $("who").textContent = `${me.username} · ${me.role}`; }).catch(() => {});
  setConn("off", "connecting…");
  loadOnce();
  connect();
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  const ws = view.socket;
  view.socket = null;
  if (ws) ws.close();
  clearTimeout(view.retryTimer);
  $("board-view").hidden = true;
  $("logout").hidden = true;
  $("conn").hidden = true;
  $("who").textContent = "";
  $("login-view").hidden = false;
  const err = $("login-error");
  err.hidden = !message;
  err.textContent = message || "";
}

async function onLogin(ev) {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const button = ev.target.querySelector("button");
  button.disabled = true;
  try {
    const credentials = {username: form.get("username"), password: form.get("password")};
    let r;
    try {
      r = await api("/api/auth/token", {method: "POST", body: JSON.stringify(credentials)});
    } catch (err) {
      if (err.code !== "totp_required") throw err;
      const totp = window.prompt("One-time code from your authenticator app");
      r = await api("/api/auth/token", {method: "POST", body: JSON.stringify({...credentials, totp})});
    }
    if (r.role === "agent") throw new Error("Agent accounts cannot see the wallboard.");
    sessionStorage.setItem(TOKEN_KEY, r.access_token);
    sessionStorage.setItem(REFRESH_KEY, r.refresh_token);
    ev.target.reset();
    $("login-error").hidden = true;
    showBoard();
  } catch (err) {
    $("login-error").textContent = err.status === 401 ? "Wrong username or password." : err.message;
    $("login-error").hidden = false;
  } finally {
    button.disabled = false;
  }
}

function tick() {
  $("clock").textContent = clockTime(Date.now() / 1000);
  if (view.snapshot) {
    render(); // advance the timers between snapshots
    if (view.socket && view.socket.readyState === WebSocket.OPEN) {
      const stale = Date.now() - view.receivedAt > STALE_AFTER_MS;
      setConn(stale ? "stale" : "live", stale ? "no data" : "live");
    }
  }
}

function start() {
  // Kiosk wallboards sign in without the form: /#token=<bearer token> (preferred: a fragment never reaches
  // the server or its access log) or /?token=<bearer token>, plus &refresh=<refresh token> to outlive the
  // 15-minute access token. The tokens leave the address bar at once.
  const params = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const kioskToken = fragment.get("token") || params.get("token");
  const kioskRefresh = fragment.get("refresh") || params.get("refresh");
  if (kioskRefresh) sessionStorage.setItem(REFRESH_KEY, kioskRefresh);
  if (kioskToken || kioskRefresh) {
    if (kioskToken) sessionStorage.setItem(TOKEN_KEY, kioskToken);
    params.delete("token");
    params.delete("refresh");
    history.replaceState(null, "", location.pathname + (params.toString() ? `?${params}` : ""));
  }
  renderLegend();
  $("login-form").addEventListener("submit", onLogin);
  $("logout").addEventListener("click", () => {
    api("/api/auth/logout", {method: "POST"}).catch(() => {}).finally(() => signOut(""));
  });
  setInterval(tick, 1000);
  tick();
  if (sessionStorage.getItem(TOKEN_KEY)) showBoard();
  else if (sessionStorage.getItem(REFRESH_KEY)) refreshTokens().then((ok) => (ok ? showBoard() : signOut("")));
  else signOut("");
}

start();
