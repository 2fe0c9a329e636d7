#!/usr/bin/env node
// A loopback fake of the OpenAI HTTP API (chat completions, streamed or not, and embeddings) whose
// answers look like a real provider's from the outside: heavy-tailed latency, realistic token
// counts, occasional 429s, 500s and dropped connections, and scripted incidents. Real
// instrumentation libraries wrap the real `openai` client pointed at it, so the telemetry they
// emit is theirs, not ours.
//
//   node server.mjs --port <P|0> --seed <N> [--incidents <file.json>] [--start-ms <epoch ms>]
//
// Prints `fake-openai listening on http://127.0.0.1:<port>` on stdout when ready; binds 127.0.0.1
// only; stops on SIGTERM (or SIGINT). No dependencies beyond Node itself. See ../README.md.
import http from 'node:http';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { Incidents } from './incidents.mjs';
import { drawCall, drawEmbedding, MODELS } from './behaviour.mjs';
import { chatCompletion, chunk, embeddingsResponse, errorBody, fillerWords } from './responses.mjs';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    incidents: { type: 'string' },
    'start-ms': { type: 'string' },
    // How long a request that "times out" is held before its connection is dropped: what a
    // gateway or proxy idle timeout looks like to the client.
    'hang-ms': { type: 'string', default: '30000' },
    // Scales every delay (1 = real time). Only for quick self-tests of the server.
    'time-scale': { type: 'string', default: '1' },
  },
  strict: true,
});

const seed = Number.parseInt(opts.seed, 10);
if (!Number.isFinite(seed)) fail(`--seed must be an integer, got ${opts.seed}`);
const port = Number.parseInt(opts.port, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${opts.port}`);
const startMs = opts['start-ms'] !== undefined ? Number(opts['start-ms']) : Date.now();
if (!Number.isFinite(startMs)) fail(`--start-ms must be epoch milliseconds, got ${opts['start-ms']}`);
const hangMs = Number(opts['hang-ms']);
const timeScale = Number(opts['time-scale']);

let incidents;
try {
  const list = opts.incidents ? JSON.parse(fs.readFileSync(opts.incidents, 'utf8')) : [];
  incidents = new Incidents(Array.isArray(list) ? list : list.incidents, startMs);
} catch (e) {
  fail(`cannot use --incidents ${opts.incidents}: ${e.message}`);
}

// What the server answered, by outcome: lets a generator check its own count of calls.
const stats = { requests: 0, chat: 0, streamed: 0, embeddings: 0, ok: 0, rate_limited: 0,
  server_error: 0, timeout: 0, bad_request: 0, tool_calls: 0, length: 0, content_filter: 0 };
// Per (endpoint, service, model) request counters: the n-th request of a key always gets the n-th
// draw of the seeded generator, so a run is reproducible per key whatever the interleaving of keys.
const counters = new Map();
// Timer lateness of this process: on a busy machine it adds to every delay the server sleeps.
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const sockets = new Set();

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    if (!res.headersSent) send(res, 500, errorBody('server_error', null, `fake-openai: ${e.message}`));
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;
server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`fake-openai listening on http://127.0.0.1:${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    for (const s of sockets) s.destroy();
    process.exit(0);
  });
}

async function handle(req, res) {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/sentinel/stats') {
    const ms = (ns) => Math.round(ns / 1e5) / 10;
    return send(res, 200, { ...stats, event_loop_delay_ms: { p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) } });
  }
  if (req.method === 'GET' && path === '/sentinel/incidents') return send(res, 200, incidents.applied());
  if (req.method === 'GET' && path === '/v1/models') {
    return send(res, 200, { object: 'list', data: Object.keys(MODELS).map((id) => ({ id, object: 'model', owned_by: 'system' })) });
  }
  if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/embeddings')) {
    return send(res, 404, errorBody('invalid_request_error', 'unknown_url', `Unknown request URL: ${req.method} ${path}.`));
  }
  stats.requests++;
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    stats.bad_request++;
    return send(res, 400, errorBody('invalid_request_error', null, 'We could not parse the JSON body of your request.'));
  }
  if (typeof body.model !== 'string' || !body.model) {
    stats.bad_request++;
    return send(res, 400, errorBody('invalid_request_error', null, 'you must provide a model parameter'));
  }
  const service = req.headers['x-sentinel-service'] || '';
  const now = Date.now();
  const endpoint = path === '/v1/embeddings' ? 'embeddings' : 'chat';
  const key = `${endpoint}|${service}|${body.model}`;
  const n = (counters.get(key) || 0) + 1;
  counters.set(key, n);
  const active = incidents.activeFor(service, body.model, now);

  if (endpoint === 'embeddings') {
    stats.embeddings++;
    const d = drawEmbedding({ seed, service, model: body.model, n, body, active });
    return answer(res, d, () => send(res, 200, embeddingsResponse(body, d), headers(d)));
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    stats.bad_request++;
    return send(res, 400, errorBody('invalid_request_error', null, "Missing required parameter: 'messages'."));
  }
  stats.chat++;
  const d = drawCall({ seed, service, model: body.model, n, body, active });
  if (body.stream) {
    stats.streamed++;
    return answer(res, d, () => stream(req, res, body, d));
  }
  return answer(res, d, async () => {
    await sleep(d.ttftMs + d.generationMs);
    countFinish(d);
    send(res, 200, chatCompletion(body, d), headers(d));
  });
}

// Failures first (they answer after a short, realistic delay), then the draw's own answer.
async function answer(res, d, ok) {
  if (d.outcome === 'rate_limited') {
    stats.rate_limited++;
    await sleep(d.failMs);
    return send(res, 429, errorBody('rate_limit_exceeded', 'rate_limit_exceeded',
      `Rate limit reached for ${d.model} in organization org-sentinel on requests per min (RPM): `
      + `Limit 500, Used 500, Requested 1. Please try again in ${d.retryAfterS}s.`),
    { ...headers(d), 'retry-after': String(d.retryAfterS), 'x-ratelimit-remaining-requests': '0' });
  }
  if (d.outcome === 'server_error') {
    stats.server_error++;
    await sleep(d.failMs);
    return send(res, 500, errorBody('server_error', null,
      'The server had an error while processing your request. Sorry about that!'), headers(d));
  }
  if (d.outcome === 'timeout') {
    stats.timeout++;
    await sleep(hangMs);
    return res.destroy();
  }
  stats.ok++;
  return ok();
}

async function stream(req, res, body, d) {
  let closed = false;
  res.on('close', () => { closed = true; });
  await sleep(d.ttftMs);
  if (closed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache',
    connection: 'keep-alive', ...headers(d) });
  const includeUsage = !!(body.stream_options && body.stream_options.include_usage);
  const write = (obj) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
  const c = (delta, finish) => chunk(body, d, delta, finish, includeUsage);
  if (d.finishReason === 'tool_calls') {
    write(c({ role: 'assistant', content: null, tool_calls: d.toolCalls.map((t, index) => ({
      index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } })) }, null));
    await sleep(d.generationMs / 2);
    d.toolCalls.forEach((t, index) => write(c({ tool_calls: [{ index, function: { arguments: t.arguments } }] }, null)));
    await sleep(d.generationMs / 2);
  } else {
    write(c({ role: 'assistant', content: '', refusal: null }, null));
    // A few words per chunk, spread over the generation time (fewer writes than one per token).
    const words = fillerWords(d);
    const pieces = [];
    for (let i = 0; i < words.length; i += 3) pieces.push((i ? ' ' : '') + words.slice(i, i + 3).join(' '));
    const gap = d.generationMs / Math.max(1, pieces.length);
    for (const p of pieces) {
      if (closed) return;
      write(c({ content: p }, null));
      await sleep(gap);
    }
  }
  if (closed) return;
  countFinish(d);
  write(c({}, d.finishReason));
  if (includeUsage) write({ ...c(null, null), choices: [], usage: d.usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

function countFinish(d) {
  if (d.finishReason === 'tool_calls') stats.tool_calls++;
  if (d.finishReason === 'length') stats.length++;
  if (d.finishReason === 'content_filter') stats.content_filter++;
}

function headers(d) {
  return { 'x-request-id': `req_${d.id}`, 'openai-processing-ms': String(Math.round(d.ttftMs + (d.generationMs || 0))),
    'openai-version': '2020-10-01', 'openai-model': d.snapshot };
}

function send(res, status, obj, extra = {}) {
  const text = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let size = 0;
    req.on('data', (b) => {
      size += b.length;
      if (size > 8 * 1024 * 1024) { reject(new Error('request body over 8 MiB')); req.destroy(); }
      else parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, Math.max(0, ms * timeScale)));
}

function fail(msg) {
  process.stderr.write(`fake-openai: ${msg}\n`);
  process.exit(2);
}
