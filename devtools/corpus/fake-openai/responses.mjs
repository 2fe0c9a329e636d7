// The JSON bodies, shaped as OpenAI's API shapes them (the fields instrumentation libraries read).
import { MAX_WORDS, WORDS } from './behaviour.mjs';

const FINGERPRINT = 'fp_sentinel01';

export function chatCompletion(body, d) {
  const message = d.finishReason === 'tool_calls'
    ? { role: 'assistant', content: null, refusal: null, tool_calls: d.toolCalls.map(toolCall), annotations: [] }
    : { role: 'assistant', content: fillerWords(d).join(' '), refusal: null, annotations: [] };
  return {
    id: `chatcmpl-${d.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: d.snapshot,
    choices: [{ index: 0, message, logprobs: null, finish_reason: d.finishReason }],
    usage: d.usage,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/** One `chat.completion.chunk`; `delta` null for the usage-only final chunk. */
export function chunk(body, d, delta, finishReason, includeUsage) {
  const c = {
    id: `chatcmpl-${d.id}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: d.snapshot,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: delta === null ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  // With include_usage, OpenAI sends "usage": null on every chunk before the last one.
  if (includeUsage) c.usage = null;
  return c;
}

export function embeddingsResponse(body, d) {
  const dims = Number.isInteger(body.dimensions) && body.dimensions > 0 ? Math.min(body.dimensions, 3072)
    : d.model === 'text-embedding-3-large' ? 3072 : 1536;
  const base64 = body.encoding_format === 'base64';
  return {
    object: 'list',
    data: d.inputs.map((text, index) => {
      const v = vector(String(text ?? ''), dims);
      return { object: 'embedding', index,
        embedding: base64 ? Buffer.from(v.buffer).toString('base64') : Array.from(v, (x) => Number(x.toFixed(6))) };
    }),
    model: d.model,
    usage: { prompt_tokens: d.tokens, total_tokens: d.tokens },
  };
}

export function errorBody(type, code, message) {
  return { error: { message, type, param: null, code } };
}

/** The answer's text: filler words, at most MAX_WORDS, about 0.75 words per output token. */
export function fillerWords(d) {
  const n = Math.max(1, Math.min(MAX_WORDS, Math.round(d.usage.completion_tokens * 0.75)));
  const start = Math.floor(d.textSeed * WORDS.length);
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[(start + i * 7) % WORDS.length]);
  return out;
}

function toolCall(t) {
  return { id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } };
}

// A unit vector that depends on the text only (same text, same embedding).
function vector(text, dims) {
  const v = new Float32Array(dims);
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ i;
    v[i] = ((h >>> 0) / 4294967296) - 0.5;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dims; i++) v[i] /= norm;
  return v;
}
