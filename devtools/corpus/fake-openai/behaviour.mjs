// How the fake provider behaves for one call: a draw of its latency, token counts, outcome and
// finish reason from a generator seeded by (seed, endpoint, service, model, n), then the scripted
// incidents in force laid over it. Every call consumes the same random numbers in the same order
// whatever the incidents, so a run with an incident differs from one without only where the
// incident acts.
import { snapshotOf } from './incidents.mjs';

// Per model: median time to first token and median output speed. gpt-4o-mini answers sooner and
// faster, as it does in production.
export const MODELS = {
  'gpt-4o': { ttftMs: 450, tokensPerS: 70 },
  'gpt-4o-mini': { ttftMs: 320, tokensPerS: 105 },
  'gpt-4.1': { ttftMs: 500, tokensPerS: 65 },
  'gpt-4.1-mini': { ttftMs: 350, tokensPerS: 95 },
  'text-embedding-3-small': { ttftMs: 110, tokensPerS: 0 },
  'text-embedding-3-large': { ttftMs: 170, tokensPerS: 0 },
};

// Base rates of the provider's own misbehaviour, outside every incident.
export const BASE = {
  rateLimited: 0.003, // 429 rate_limit_exceeded
  serverError: 0.001, // 500 server_error
  timeout: 0.0005, // connection dropped after --hang-ms
  truncation: 0.005, // finish_reason "length" (beside calls that really hit max_tokens)
  contentFilter: 0.001, // finish_reason "content_filter"
  longAnswer: 0.03, // an answer 3-6x the usual length
  tail: 0.001, // a call at 20-100x the median latency (a retry, a queue, a cold connection)
  toolCall: 0.75, // with tools offered, the model calls one
};

// Everything the draws need, in one place: the lognormal spreads and the Pareto tail's shape.
const SPREAD = { ttft: 0.35, speed: 0.2, prompt: 0.45, output: 0.6, embedding: 0.35 };
const TAIL = { min: 20, max: 100, alpha: 1.5 };
// The content is filler text: at most this many words, whatever the token count says (the token
// count is what the metrics use; long filler would only make every span bigger).
const MAX_WORDS = 16;

/** The draw of a chat completion. */
export function drawCall({ seed, service, model, n, body, active }) {
  const r = rng(`${seed}|chat|${service}|${model}|${n}`);
  const m = MODELS[model] || MODELS['gpt-4o'];
  const p = profile(service);
  // The random numbers, always all drawn, always in this order.
  const u = { fail: r(), failMs: r(), retry: r(), ttft: gauss(r), speed: gauss(r), prompt: gauss(r),
    output: gauss(r), long: r(), longFactor: r(), tail: r(), tailFactor: r(), finish: r(),
    cache: r(), cacheShare: r(), tool: r(), toolPick: r(), text: r() };

  const promptChars = JSON.stringify(body.messages || []).length + JSON.stringify(body.tools || []).length;
  const promptTokens = Math.max(8, Math.round(p.promptTokens * Math.exp(SPREAD.prompt * u.prompt) + promptChars / 4));
  let completion = Math.max(1, Math.round(p.outputTokens * Math.exp(SPREAD.output * u.output)));
  if (u.long < BASE.longAnswer) completion = Math.round(completion * (3 + 3 * u.longFactor));

  let ttftMs = m.ttftMs * p.ttftFactor * Math.exp(SPREAD.ttft * u.ttft);
  const tokensPerS = m.tokensPerS * Math.exp(SPREAD.speed * u.speed);
  if (u.tail < BASE.tail) {
    // Bounded Pareto factor of the model's median call: the extra time is spent before the first
    // byte (queued, retried upstream, or a cold connection).
    const medianMs = m.ttftMs * p.ttftFactor + (p.outputTokens / m.tokensPerS) * 1000;
    ttftMs += (paretoFactor(u.tailFactor) - 1) * medianMs;
  }

  // Cached prompt tokens: OpenAI caches prompts of 1024 tokens or more, in steps of 128.
  let cached = 0;
  if (promptTokens >= 1024 && u.cache < p.cacheHit) {
    cached = Math.max(1024, Math.floor((promptTokens * (0.5 + 0.45 * u.cacheShare)) / 128) * 128);
    cached = Math.min(cached, Math.floor(promptTokens / 128) * 128);
  }

  let outcome = 'ok';
  let finishReason = 'stop';
  const shares = { rate_limited: 0, errors: 0, timeouts: 0, truncation: 0, content_filter: 0 };
  let latencyFactor = 1;
  for (const w of active) {
    if (w.kind === 'latency') latencyFactor *= w.factor;
    else if (w.kind === 'output_tokens') completion = Math.max(1, Math.round(completion * w.factor));
    else if (w.kind === 'cache_miss') cached = 0;
    else shares[w.kind] = Math.max(shares[w.kind], w.share);
  }
  outcome = failure(u.fail, shares);

  const maxTokens = body.max_completion_tokens || body.max_tokens || null;
  let toolCalls = null;
  const offersTools = Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none';
  const last = (body.messages || [])[body.messages.length - 1] || {};
  if (offersTools && last.role !== 'tool' && (body.tool_choice === 'required' || u.tool < BASE.toolCall)) {
    finishReason = 'tool_calls';
    toolCalls = pickToolCalls(body.tools, u.toolPick, n);
    completion = 12 + Math.round(30 * u.text) * toolCalls.length;
  } else if (u.finish < shares.truncation || u.finish < BASE.truncation || (maxTokens && completion >= maxTokens)) {
    finishReason = 'length';
    completion = maxTokens || Math.max(completion, 4 * p.outputTokens);
  } else if (u.finish < BASE.truncation + Math.max(shares.content_filter, BASE.contentFilter)) {
    finishReason = 'content_filter';
    completion = Math.max(1, Math.round(completion * (0.1 + 0.4 * u.text)));
  }
  if (maxTokens) completion = Math.min(completion, maxTokens);

  ttftMs *= latencyFactor;
  const generationMs = (completion / tokensPerS) * 1000 * latencyFactor;
  return {
    id: hex(r, 24), model, snapshot: snapshotOf(model), outcome, finishReason, toolCalls,
    ttftMs, generationMs, textSeed: u.text,
    failMs: failDelay(outcome, u.failMs, m), retryAfterS: 1 + Math.floor(u.retry * 20),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
}

/** The draw of an embeddings call: latency and outcome only, tokens counted from the input. */
export function drawEmbedding({ seed, service, model, n, body, active }) {
  const r = rng(`${seed}|embeddings|${service}|${model}|${n}`);
  const m = MODELS[model] || MODELS['text-embedding-3-small'];
  const u = { fail: r(), failMs: r(), retry: r(), latency: gauss(r), tail: r(), tailFactor: r() };
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const tokens = inputs.reduce((s, x) => s + Math.max(1, Math.ceil(String(x ?? '').length / 4)), 0);
  let ms = m.ttftMs * Math.exp(SPREAD.embedding * u.latency) + tokens * 0.05;
  if (u.tail < BASE.tail) ms += (paretoFactor(u.tailFactor) - 1) * m.ttftMs;
  const shares = { rate_limited: 0, errors: 0, timeouts: 0 };
  for (const w of active) {
    if (w.kind === 'latency') ms *= w.factor;
    else if (w.kind in shares) shares[w.kind] = Math.max(shares[w.kind], w.share);
  }
  const outcome = failure(u.fail, shares);
  return { id: hex(r, 24), model, snapshot: model, outcome, ttftMs: ms, generationMs: 0, inputs,
    failMs: failDelay(outcome, u.failMs, m), retryAfterS: 1 + Math.floor(u.retry * 20), tokens };
}

// One uniform number decides the failure, so shares of different kinds never add past 1 and a
// call's fate is the same in every run with the same incidents.
function failure(x, shares) {
  const rl = Math.max(BASE.rateLimited, shares.rate_limited);
  const se = Math.max(BASE.serverError, shares.errors);
  const to = Math.max(BASE.timeout, shares.timeouts);
  if (x < rl) return 'rate_limited';
  if (x < rl + se) return 'server_error';
  if (x < rl + se + to) return 'timeout';
  return 'ok';
}

function failDelay(outcome, x, m) {
  // A 429 comes back at once; a 500 after the provider has tried for a while.
  return outcome === 'rate_limited' ? 20 + 80 * x : m.ttftMs * (1 + 4 * x);
}

function paretoFactor(x) {
  return Math.min(TAIL.max, TAIL.min * Math.pow(1 - x, -1 / TAIL.alpha));
}

// A service's character, from its name alone (so a service behaves the same in every variant and
// every run): prompt size (a RAG assistant sends long prompts, a classifier short ones), answer
// length, share of calls that hit the prompt cache, and a little latency of its own.
const profiles = new Map();
export function profile(service) {
  if (!profiles.has(service)) {
    const r = rng(`profile|${service}`);
    profiles.set(service, {
      promptTokens: Math.round(900 + 1700 * r()),
      outputTokens: Math.round(90 + 170 * r()),
      cacheHit: 0.3 + 0.4 * r(),
      ttftFactor: 0.85 + 0.3 * r(),
    });
  }
  return profiles.get(service);
}

function pickToolCalls(tools, x, n) {
  const count = x < 0.1 && tools.length > 1 ? 2 : 1;
  const calls = [];
  for (let i = 0; i < count; i++) {
    const t = tools[(Math.floor(x * 997) + i) % tools.length];
    const f = t.function || t;
    calls.push({ id: `call_${n.toString(36)}${i}${Math.floor(x * 1e9).toString(36)}`, name: f.name,
      arguments: JSON.stringify(argumentsFor(f.parameters, x)) });
  }
  return calls;
}

// Arguments that satisfy the tool's JSON schema well enough for a tool's execute() to run.
function argumentsFor(schema, x) {
  const out = {};
  const props = (schema && schema.properties) || {};
  for (const [name, p] of Object.entries(props)) {
    if (Array.isArray(p.enum)) out[name] = p.enum[Math.floor(x * p.enum.length)];
    else if (p.type === 'number' || p.type === 'integer') out[name] = 1 + Math.floor(x * 100);
    else if (p.type === 'boolean') out[name] = x < 0.5;
    else out[name] = WORDS[Math.floor(x * WORDS.length)];
  }
  return out;
}

export const WORDS = ('the order was shipped on monday and should arrive within three business days please '
  + 'contact support if the package is late we can refund or replace items that arrive damaged your '
  + 'account shows two open tickets one about billing and one about a password reset').split(' ');

export { MAX_WORDS };

// cyrb53-style string hash into a seed, then sfc32: small, fast and good enough for simulation.
function rng(key) {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  let a = h1 >>> 0, b = h2 >>> 0, c = (h1 ^ h2) >>> 0, d = 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b | 0) + d | 0;
    d = d + 1 | 0;
    a = b ^ (b >>> 9);
    b = c + (c << 3) | 0;
    c = (c << 21) | (c >>> 11);
    c = c + t | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

function gauss(r) {
  // Box-Muller; 1 - r() keeps log() away from 0.
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function hex(r, len) {
  let s = '';
  while (s.length < len) s += Math.floor(r() * 0x100000000).toString(36);
  return s.slice(0, len);
}
