#!/usr/bin/env node
'use strict';
// Runs one variant: a local OTLP receiver writing <out>/spans.jsonl, one worker process per service
// exporting to it, then <out>/calls.json (the calls made) and <out>/incidents.json (the windows the
// fake server applied, in epoch ms, with the metrics each should move).
//
//   node run-variant.js --variant otel|openllmetry|openinference|ai-sdk --server-url URL --out DIR
//        [--duration S] [--seed N] [--start-ms EPOCH_MS] [--services a,b] [--models gpt-4o,gpt-4o-mini]
//        [--rate-min R] [--rate-max R] [--tools-share X] [--drain S]
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { startReceiver } = require('./src/receiver');
const { VARIANTS } = require('./src/telemetry');

const { values: o } = parseArgs({ options: {
  variant: { type: 'string' }, 'server-url': { type: 'string' }, out: { type: 'string' },
  duration: { type: 'string', default: '1200' }, seed: { type: 'string', default: '1' },
  'start-ms': { type: 'string' }, services: { type: 'string', default: 'support-bot,doc-search' },
  models: { type: 'string', default: 'gpt-4o,gpt-4o-mini' },
  'rate-min': { type: 'string', default: '1' }, 'rate-max': { type: 'string', default: '4' },
  drain: { type: 'string', default: '120' },
  // Share of chat calls that offer the model tools (it then calls one 3 times in 4).
  'tools-share': { type: 'string', default: '0.15' },
} });
const die = (m) => { console.error(`run-variant: ${m}`); process.exit(2); };
if (!VARIANTS[o.variant]) die(`--variant must be one of ${Object.keys(VARIANTS).join(', ')}`);
if (!o['server-url'] || !o.out) die('--server-url and --out are required');

async function main() {
  fs.mkdirSync(o.out, { recursive: true });
  const spansFile = path.join(o.out, 'spans.jsonl');
  fs.rmSync(spansFile, { force: true });
  const receiver = await startReceiver(spansFile);
  const serverUrl = o['server-url'].replace(/\/+$/, '');
  const incidents = await (await fetch(`${serverUrl}/sentinel/incidents`)).json();
  const startMs = o['start-ms'] ? Number(o['start-ms']) : Date.now() + 3000;
  const base = { variant: o.variant, serverUrl, receiverUrl: receiver.url, startMs, durationS: Number(o.duration),
    seed: Number(o.seed), models: o.models.split(','), rateMin: Number(o['rate-min']), rateMax: Number(o['rate-max']),
    drainS: Number(o.drain), toolsShare: Number(o['tools-share']), incidents };
  const services = o.services.split(',');
  const progress = {};
  // Stopped (scripts/corpus.sh stops this process by its PID): its workers go with it.
  const children = [];
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      for (const c of children) c.kill('SIGTERM');
      process.exit(143);
    });
  }
  const ticker = reportProgress(progress, receiver, startMs);
  const results = await Promise.all(services.map((service) => new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'src', 'worker.js'), [JSON.stringify({ ...base, service })]);
    children.push(child);
    let done = null;
    child.on('message', (m) => {
      if (m.type === 'progress') progress[m.service] = m;
      if (m.type === 'done') done = m;
    });
    child.on('exit', (code) => (code === 0 && done ? resolve(done) : reject(new Error(`worker ${service} exited ${code}`))));
  })));
  clearInterval(ticker);
  await receiver.close();
  const serverStats = await (await fetch(`${serverUrl}/sentinel/stats`)).json();

  const keys = results.flatMap((r) => r.log.keys).sort((a, b) => `${a.service}|${a.model}|${a.kind}`.localeCompare(`${b.service}|${b.model}|${b.kind}`));
  const sum = (f) => keys.reduce((s, k) => s + f(k), 0);
  const failedBy = {};
  for (const k of keys) for (const [why, n] of Object.entries(k.failed)) failedBy[why] = (failedBy[why] || 0) + n;
  const calls = {
    variant: o.variant,
    start_ms: startMs,
    end_ms: startMs + Number(o.duration) * 1000,
    llm_calls: sum((k) => k.calls),
    chat_calls: sum((k) => (k.kind === 'embeddings' ? 0 : k.calls)),
    streamed_calls: sum((k) => (k.kind === 'chat_stream' ? k.calls : 0)),
    embeddings_calls: sum((k) => (k.kind === 'embeddings' ? k.calls : 0)),
    failed_calls: sum((k) => k.calls - k.ok),
    failed_by: failedBy,
    tool_executions: results.reduce((s, r) => s + r.log.tools.executed, 0),
    tool_failures: results.reduce((s, r) => s + r.log.tools.failed, 0),
    aborted_at_end: results.some((r) => r.aborted),
    // How long after start_ms each service's worker was ready to send (0: on time).
    tools_share: Number(o['tools-share']),
    late_start_ms: Object.fromEntries(results.map((r) => [r.service, r.lateMs])),
    // Event-loop delay of each worker (timer lateness): CPU contention on the machine that made the
    // corpus, included in every duration its spans measure.
    event_loop_delay_ms: Object.fromEntries(results.map((r) => [r.service, r.eventLoopDelayMs])),
    by_key: keys,
    // The fake server's own count of what it answered (its requests equal llm_calls when the
    // server served this variant alone).
    server: serverStats,
    export: { requests: receiver.stats.requests, spans: receiver.stats.spans, rejected: receiver.stats.rejected },
  };
  fs.writeFileSync(path.join(o.out, 'calls.json'), `${JSON.stringify(calls, null, 2)}\n`);
  fs.writeFileSync(path.join(o.out, 'incidents.json'), `${JSON.stringify(incidents.map(describe), null, 2)}\n`);
  console.log(`${o.variant}: ${calls.llm_calls} LLM calls (${calls.streamed_calls} streamed, ${calls.embeddings_calls} embeddings, `
    + `${calls.failed_calls} failed), ${calls.tool_executions} tool executions, ${receiver.stats.requests} export lines, ${receiver.stats.spans} spans`);
}

// Who applies an incident: the fake server answers differently, or the generator's own tools fail.
function describe(w) {
  return { ...w, applied_by: w.kind === 'tool_errors' ? 'generator' : 'fake-openai' };
}

function reportProgress(progress, receiver, startMs) {
  const timer = setInterval(() => {
    const calls = Object.values(progress).reduce((s, p) => s + p.calls, 0);
    const inFlight = Object.values(progress).reduce((s, p) => s + p.inFlight, 0);
    console.log(`${o.variant}: t=${Math.round((Date.now() - startMs) / 1000)}s calls=${calls} in_flight=${inFlight} `
      + `export_lines=${receiver.stats.requests} spans=${receiver.stats.spans}`);
  }, 30_000);
  return timer;
}

main().catch((e) => { console.error(`run-variant ${o.variant}: ${e.stack || e}`); process.exit(1); });
