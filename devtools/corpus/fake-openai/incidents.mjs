// Scripted incidents: time windows, relative to the run's start, in which the fake server answers one
// service's (or every service's) calls to one model differently. A window is [start_s, end_s).

// Each kind: the parameter it takes (with its default) and the metrics of LLM-Sentinel it should
// move. The metrics are a promise to whoever scores a run, so they are recorded with the window.
export const KINDS = {
  // Time to first token and generation time both multiplied: slower answers, fewer tokens/s.
  latency: { param: 'factor', default: 5, metrics: ['latency_ms', 'ttft_ms', 'output_tokens_per_second'] },
  // Longer answers: more output tokens, more cost, and (at the same tokens/s) longer calls.
  output_tokens: { param: 'factor', default: 4, metrics: ['output_tokens', 'total_tokens', 'cost_usd', 'latency_ms'] },
  // A share of calls answered 429 rate_limit_exceeded.
  rate_limited: { param: 'share', default: 0.4, metrics: ['rate_limited_rate', 'error_rate'] },
  // A share of answers cut at the token limit (finish_reason "length").
  truncation: { param: 'share', default: 0.4, metrics: ['truncation_rate'] },
  // A share of answers stopped by the content filter (finish_reason "content_filter").
  content_filter: { param: 'share', default: 0.3, metrics: ['content_filter_rate'] },
  // The prompt cache stops hitting: cached_tokens 0 on every answer.
  cache_miss: { param: null, default: null, metrics: ['cache_hit_ratio', 'cost_usd'] },
  // A share of calls answered 500 server_error.
  errors: { param: 'share', default: 0.3, metrics: ['error_rate'] },
  // A share of calls whose connection is dropped after --hang-ms without an answer.
  timeouts: { param: 'share', default: 0.2, metrics: ['error_rate', 'latency_ms'] },
  // A share of the application's tool executions fail. The server does nothing: the generator's
  // tools read this window (they run in the client), the server only records it with the others.
  tool_errors: { param: 'share', default: 0.5, metrics: ['tool_error_rate'] },
};

export class Incidents {
  constructor(list, startMs) {
    if (list !== undefined && !Array.isArray(list)) throw new Error('incidents must be a JSON array');
    this.windows = (list || []).map((raw, i) => validate(raw, i, startMs));
  }

  /** The windows in force for this call at `now`; empty outside every incident. */
  activeFor(service, model, now) {
    return this.windows.filter((w) => now >= w.start_ms && now < w.end_ms
      && (w.service === null || w.service === service)
      && (w.model === null || w.model === model || snapshotOf(w.model) === model));
  }

  /** The windows as applied, in absolute epoch milliseconds, for the run's record. */
  applied() {
    return this.windows.map((w) => ({ ...w }));
  }
}

function validate(raw, i, startMs) {
  const where = `incident ${i}${raw && raw.name ? ` (${raw.name})` : ''}`;
  if (!raw || typeof raw !== 'object') throw new Error(`${where}: not an object`);
  const kind = KINDS[raw.kind];
  if (!kind) throw new Error(`${where}: kind must be one of ${Object.keys(KINDS).join(', ')}, got ${raw.kind}`);
  const start = Number(raw.start_s);
  const end = Number(raw.end_s);
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end <= start) {
    throw new Error(`${where}: needs 0 <= start_s < end_s, got ${raw.start_s}..${raw.end_s}`);
  }
  const w = {
    name: String(raw.name || `${raw.kind}-${i}`),
    service: raw.service ? String(raw.service) : null,
    model: raw.model ? String(raw.model) : null,
    kind: raw.kind,
    start_s: start,
    end_s: end,
    start_ms: Math.round(startMs + start * 1000),
    end_ms: Math.round(startMs + end * 1000),
    expected_metrics: raw.expected_metrics || kind.metrics,
  };
  if (kind.param) {
    const v = raw[kind.param] === undefined ? kind.default : Number(raw[kind.param]);
    const ok = kind.param === 'share' ? v >= 0 && v <= 1 : v > 0;
    if (!Number.isFinite(v) || !ok) throw new Error(`${where}: bad ${kind.param} ${raw[kind.param]}`);
    w[kind.param] = v;
  }
  return w;
}

// The dated snapshot a model alias answers as, as OpenAI's API does in the response's `model`.
export const SNAPSHOTS = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
};

export function snapshotOf(model) {
  return SNAPSHOTS[model] || model;
}
