/* The monitoring page: plain browser JavaScript served by the monitoring API under a strict CSP (no inline code,
 * no third-party origins). It keeps the token in sessionStorage (this tab only), reads the API with it, follows the
 * WebSocket stream (token passed as the subprotocols "bearer, <token>") and draws the charts as SVG by hand.
 * Every value from the kiosk is written with textContent / attributes, never as HTML. */
/* global document, window, location */
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const KEY = 'atm-monitoring-token';
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(KEY) || '';
let socket = null;
let reconnectTimer = null;
let statsTimer = null;
const journalRows = [];

function el(tag, attrs, text) {
  const e = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function clear(node, keep) {
  for (const c of [...node.childNodes]) if (!keep || !keep(c)) c.remove();
}

async function call(path, opts) {
  const res = await fetch(path, { ...opts, headers: { authorization: `Bearer ${token}`, ...(opts && opts.body ? { 'content-type': 'application/json' } : {}) } });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error((body && body.error && body.error.message) || `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

function money(minor, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

function showLogin(message) {
  stopLive();
  $('dashboard').hidden = true;
  $('sign-out').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('who').textContent = '';
}

async function start() {
  if (!token) return showLogin('');
  let me;
  try {
    me = await call('/api/v1/whoami');
  } catch (e) {
    sessionStorage.removeItem(KEY);
    token = '';
    return showLogin(e.status === 401 || e.status === 403 ? `Not accepted: ${e.message}` : `Cannot reach the ATM: ${e.message}`);
  }
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = `${me.name} (${me.scopes.join(', ')})`;
  $('commands').hidden = !me.scopes.includes('operate');
  try {
    const [status, alerts, journal] = await Promise.all([call('/api/v1/status'), call('/api/v1/alerts'), call('/api/v1/journal?limit=25')]);
    renderStatus(status);
    renderAlerts(alerts.active);
    journalRows.splice(0, journalRows.length, ...journal.entries);
    renderJournal();
    await refreshStats();
  } catch (e) {
    $('login-error').textContent = e.message;
  }
  connectLive();
}

function renderStatus(s) {
  $('terminal').textContent = s.terminalId;
  const app = $('app-state');
  const names = { inService: 'in service', inSession: 'customer session', outOfService: s.forcedOut ? 'out of service (command)' : 'out of service', supervisor: 'supervisor mode', starting: 'starting' };
  app.textContent = names[s.app] || s.app;
  app.className = `badge ${s.app === 'inService' || s.app === 'inSession' ? 'good' : s.app === 'outOfService' ? 'bad' : 'warn'}`;
  const host = $('host-state');
  host.textContent = s.host.online ? 'host online' : 'host offline';
  host.className = `badge ${s.host.online ? 'good' : 'bad'}`;
  renderCash(s.cashUnits);
  renderDevices(s.devices);
}

function renderCash(units) {
  const svg = $('cash-chart');
  clear(svg, (c) => c.nodeName === 'title');
  const rowH = 30;
  const x0 = 170;
  const w = 330;
  svg.setAttribute('viewBox', `0 0 600 ${Math.max(40, units.length * rowH + 10)}`);
  const totals = {};
  units.forEach((u, i) => {
    const y = 8 + i * rowH;
    const level = u.capacity > 0 ? Math.min(1, u.count / u.capacity) : 0;
    const dispense = u.type === 'dispense';
    const low = dispense && (u.count <= u.lowThreshold || u.state === 'low');
    const empty = dispense && (u.count === 0 || u.state === 'empty');
    const full = !dispense && (u.count >= u.capacity || u.state === 'full');
    const g = el('svg:g', { class: 'cash-unit', 'data-unit': u.id });
    g.append(el('svg:text', { x: 0, y: y + 15, class: 'label' }, dispense ? `${u.id} ${money(u.denomination, u.currency)}` : `${u.id} (${u.type})`));
    g.append(el('svg:rect', { x: x0, y, width: w, height: 20, class: 'bar-bg' }));
    g.append(el('svg:rect', { x: x0, y, width: Math.round(w * level), height: 20, class: `bar ${!dispense ? 'bin' : ''} ${empty ? 'empty' : low ? 'low' : ''} ${full ? 'full' : ''}`.trim() }));
    if (dispense && u.capacity > 0) {
      const tx = x0 + Math.round((w * Math.min(u.lowThreshold, u.capacity)) / u.capacity);
      g.append(el('svg:line', { x1: tx, x2: tx, y1: y - 2, y2: y + 22, class: 'threshold' }));
    }
    g.append(el('svg:text', { x: x0 + w + 8, y: y + 15, class: 'label' }, `${u.count}/${u.capacity}${low ? ' low' : ''}`));
    svg.append(g);
    if (dispense) totals[u.currency] = (totals[u.currency] || 0) + u.count * u.denomination;
  });
  $('cash-total').textContent = `Total: ${Object.entries(totals).map(([c, v]) => money(v, c)).join(', ') || '-'} (dashed line: low threshold)`;
}

function renderDevices(devices) {
  const body = $('devices').tBodies[0];
  clear(body);
  for (const [name, d] of Object.entries(devices)) {
    const state = d.device || (name === 'sensors' ? '' : '?');
    const detail = Object.entries(d)
      .filter(([k, v]) => k !== 'device' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    const tr = el('tr');
    tr.append(el('td', {}, name), el('td', { class: state === 'online' ? 'ok' : 'bad' }, state), el('td', { class: 'data' }, detail));
    body.append(tr);
  }
}

function renderAlerts(active) {
  const ul = $('alerts');
  clear(ul);
  if (!active.length) ul.append(el('li', { class: 'none' }, 'No active alerts'));
  for (const a of active) ul.append(el('li', { class: a.severity, 'data-alert': a.id }, `${a.severity}: ${a.message} (since ${new Date(a.since).toLocaleTimeString()})`));
}

function renderJournal() {
  const body = $('journal').tBodies[0];
  clear(body);
  for (const e of journalRows.slice(0, 25)) {
    const tr = el('tr');
    tr.append(el('td', {}, e.seq), el('td', {}, new Date(e.ts).toLocaleTimeString()), el('td', {}, e.kind), el('td', {}, e.txn ?? ''), el('td', {}, e.maskedPan ?? ''), el('td', { class: 'data' }, JSON.stringify(e.data)));
    body.append(tr);
  }
}

async function refreshStats() {
  const stats = await call('/api/v1/transactions/stats?hours=24');
  const svg = $('txn-chart');
  clear(svg, (c) => c.nodeName === 'title');
  const hours = stats.hours;
  const max = Math.max(1, ...hours.map((h) => h.approved + h.declined + h.hostUnavailable));
  const x0 = 30;
  const h0 = 150;
  const bw = (570 - x0) / hours.length;
  svg.append(el('svg:line', { x1: x0, x2: 600, y1: h0, y2: h0, class: 'axis' }));
  svg.append(el('svg:text', { x: 0, y: 12, class: 'label' }, String(max)));
  hours.forEach((h, i) => {
    let y = h0;
    for (const k of ['approved', 'declined', 'hostUnavailable']) {
      if (!h[k]) continue;
      const hh = Math.max(1, Math.round((h[k] / max) * (h0 - 10)));
      y -= hh;
      const r = el('svg:rect', { x: x0 + i * bw + 1, y, width: Math.max(1, bw - 2), height: hh, class: `txn ${k}` });
      r.append(el('svg:title', {}, `${new Date(h.hour).toLocaleString()}: ${h[k]} ${k}`));
      svg.append(r);
    }
    if (i % 4 === 0) svg.append(el('svg:text', { x: x0 + i * bw, y: h0 + 16, class: 'label' }, new Date(h.hour).getHours() + 'h'));
  });
}

function stopLive() {
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
  socket = null;
  clearTimeout(reconnectTimer);
  clearTimeout(statsTimer);
  setLive(false);
}

function setLive(on) {
  const l = $('live');
  l.textContent = on ? 'live' : 'offline';
  l.className = `badge ${on ? 'good' : 'off'}`;
}

function connectLive() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream`, ['bearer', token]);
  socket = ws;
  ws.onopen = () => setLive(true);
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'hello' || m.type === 'status') {
      renderStatus(m.status);
      if (m.alerts) renderAlerts(m.alerts);
    } else if (m.type === 'alert.raised' || m.type === 'alert.cleared') {
      call('/api/v1/alerts').then((a) => renderAlerts(a.active), () => undefined);
    } else if (m.type === 'journal') {
      journalRows.unshift(m.entry);
      journalRows.length = Math.min(journalRows.length, 25);
      renderJournal();
      if (m.entry.kind === 'host.response' || m.entry.kind === 'host.unavailable') {
        clearTimeout(statsTimer);
        statsTimer = setTimeout(() => refreshStats().catch(() => undefined), 500);
      }
    }
  };
  ws.onclose = () => {
    setLive(false);
    if (socket === ws) reconnectTimer = setTimeout(() => start(), 3000);
  };
}

async function command(name) {
  const label = name === 'out-of-service' ? 'Take this ATM out of service?' : 'Put this ATM back in service?';
  if (!window.confirm(label)) return;
  try {
    const r = await call(`/api/v1/commands/${name}`, { method: 'POST', body: JSON.stringify({ reason: 'monitoring page' }) });
    $('cmd-result').textContent = `${r.command} accepted (journal #${r.journalSeq})`;
  } catch (e) {
    $('cmd-result').textContent = `refused: ${e.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    token = $('token').value.trim();
    $('token').value = '';
    sessionStorage.setItem(KEY, token);
    start();
  });
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    token = '';
    showLogin('');
  });
  $('cmd-out').addEventListener('click', () => command('out-of-service'));
  $('cmd-in').addEventListener('click', () => command('in-service'));
  start();
});
