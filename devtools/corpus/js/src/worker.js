'use strict';
// One service of one variant, in its own process (so its OpenTelemetry resource is its own, as in
// production where each service is a process): sets up telemetry, then sends the traffic of its
// keys (one per model) from startMs for durationS, then waits for the calls in flight, flushes the
// spans and reports its call log to the runner.
const cfg = JSON.parse(process.argv[2]);
const { startTelemetry } = require('./telemetry');
const { provider, instrumentsEmbeddings } = startTelemetry(cfg);
// Only now may anything load `openai` (the instrumentation patches it as it loads).
const { CallLog, countingFetch } = require('./call-log');
const { promptFor, inRequestSpan } = require('./app');
const { rng } = require('./random');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const log = new CallLog();
const fetch = countingFetch(log, cfg.service);
const driver = cfg.variant === 'ai-sdk'
  ? require('./ai-sdk-driver').aiSdkDriver({ service: cfg.service, serverUrl: cfg.serverUrl, fetch, log })
  : require('./openai-driver').openaiDriver({ service: cfg.service, serverUrl: cfg.serverUrl, fetch, log });

// The mix of calls, per arrival. Shares of all chat calls.
const MIX = { embeddings: 0.05, stream: 0.4, tools: cfg.toolsShare, maxTokens: 0.3, includeUsage: 0.5, toolFailBase: 0.02 };
const EMBEDDING_MODEL = 'text-embedding-3-small';

const endMs = cfg.startMs + cfg.durationS * 1000;
const inFlight = new Set();
const abort = new AbortController();
// Every call listens on the one abort signal (used only to end the run's stragglers).
require('node:events').setMaxListeners(0, abort.signal);

function toolFailShare(model, now) {
  let share = MIX.toolFailBase;
  for (const w of cfg.incidents) {
    if (w.kind === 'tool_errors' && now >= w.start_ms && now < w.end_ms
        && (!w.service || w.service === cfg.service) && (!w.model || w.model === model)) share = Math.max(share, w.share);
  }
  return share;
}

function oneCall(model, r) {
  // Every decision draws the same numbers in the same order, whatever the variant does with them.
  const u = { kind: r(), stream: r(), tools: r(), max: r(), usage: r(), prompt: r(), x: r() };
  const prompt = promptFor(cfg.service, u.prompt);
  const embeddings = u.kind < MIX.embeddings;
  if (embeddings && !instrumentsEmbeddings) return null; // the library would make no span of it
  if (embeddings) {
    return inRequestSpan('/v1/search', { kind: 'embeddings', model: EMBEDDING_MODEL },
      () => driver.embed({ model: EMBEDDING_MODEL, input: prompt.user, signal: abort.signal }));
  }
  const stream = u.stream < MIX.stream;
  const call = {
    model, prompt, stream,
    // The raw client's tool round trip is written for whole answers; the AI SDK streams tools too.
    tools: u.tools < MIX.tools && (cfg.variant === 'ai-sdk' || !stream),
    maxTokens: u.max < MIX.maxTokens ? 512 : null,
    // The AI SDK always asks for usage on streams; the raw client only when the application does.
    includeUsage: stream && (cfg.variant === 'ai-sdk' || u.usage < MIX.includeUsage),
    toolFailShare: toolFailShare(model, Date.now()),
    x: u.x,
    signal: abort.signal,
  };
  return inRequestSpan('/v1/answer', { kind: stream ? 'chat_stream' : 'chat', model, tools: call.tools,
    include_usage: call.includeUsage, max_tokens: call.maxTokens || 0 }, () => driver.chat(call));
}

// Poisson arrivals per key at a rate of its own (drawn in [rateMin, rateMax]), drifting slowly by
// +-30% over a period of 4-10 minutes, as real traffic does.
function runKey(model) {
  const r = rng(`${cfg.seed}|${cfg.service}|${model}|traffic`);
  const base = cfg.rateMin + (cfg.rateMax - cfg.rateMin) * r();
  const periodS = 240 + 360 * r();
  const phase = 2 * Math.PI * r();
  return new Promise((resolve) => {
    // A worker that is ready late does not send the arrivals it missed in one burst: its traffic
    // starts when it is ready (the runner records how late).
    let t = Math.max(cfg.startMs, Date.now());
    const next = () => {
      const rate = base * (1 + 0.3 * Math.sin(2 * Math.PI * ((t - cfg.startMs) / 1000) / periodS + phase));
      t += (-Math.log(1 - r()) / rate) * 1000;
      if (t >= endMs) return resolve();
      setTimeout(() => {
        const p = oneCall(model, r);
        if (p) {
          const q = p.catch(() => { /* counted by the call log; the span records the error */ }).finally(() => inFlight.delete(q));
          q.what = `${model} since ${new Date().toISOString()}`;
          inFlight.add(q);
        }
        next();
      }, Math.max(0, t - Date.now()));
    };
    next();
  });
}

async function main() {
  // How late this process's timers ran: on a busy machine, CPU contention adds to every latency
  // the spans measure, and calls.json says by how much.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const timer = setInterval(() => process.send && process.send({ type: 'progress', service: cfg.service, calls: log.total(), inFlight: inFlight.size }), 10_000);
  const lateMs = Math.max(0, Date.now() - cfg.startMs);
  if (lateMs > 0) console.error(`worker ${cfg.service}: ready ${lateMs} ms after the start time; its traffic starts now`);
  await new Promise((r) => setTimeout(r, Math.max(0, cfg.startMs - Date.now())));
  await Promise.all(cfg.models.map(runKey));
  // The calls still in flight (a tail call can take minutes) get drainS to finish, then are aborted.
  const waiting = setInterval(() => console.error(`worker ${cfg.service}: waiting for ${inFlight.size} calls: ${[...inFlight].map((q) => q.what).join(', ')}`), 10_000);
  const drained = Promise.all([...inFlight]);
  const late = await Promise.race([drained.then(() => false), new Promise((r) => setTimeout(() => r(true), cfg.drainS * 1000))]);
  if (late) { abort.abort(); await Promise.all([...inFlight]); }
  clearInterval(waiting);
  clearInterval(timer);
  await provider.forceFlush();
  await provider.shutdown();
  loopDelay.disable();
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  const eventLoopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
  finished = true;
  process.send({ type: 'done', service: cfg.service, log: log.toJSON(), aborted: late, lateMs, eventLoopDelayMs });
  process.disconnect();
}

// The runner is gone (killed without passing it on): no one would read this worker's results.
process.on('disconnect', () => { if (!finished) process.exit(1); });
let finished = false;

main().catch((e) => { console.error(`worker ${cfg.service}: ${e.stack || e}`); process.exit(1); });
