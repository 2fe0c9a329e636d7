'use strict';
// The application around the model calls: its prompts, its tools and the span its web framework
// would open for each user request (here made by hand, kind SERVER, so every library's LLM spans sit
// under a parent as they do in a real service, and a reader must skip the parent).
const { trace, SpanKind, SpanStatusCode } = require('@opentelemetry/api');

const SYSTEM = {
  'support-bot': 'You are the support assistant of an online shop. Answer in two sentences.',
  'doc-search': 'Answer from the help-center excerpts below. Quote the article id.',
};
const QUESTIONS = [
  'Where is my order 4411?',
  'How do I reset my password?',
  'Can I return a damaged item?',
  'Why was I charged twice?',
  'Do you ship to Norway?',
  'How long does a refund take?',
];

function promptFor(service, x) {
  return { system: SYSTEM[service] || 'You are a helpful assistant.', user: QUESTIONS[Math.floor(x * QUESTIONS.length)] };
}

// The tools the model may call (JSON schema for the raw client; the AI SDK variant builds the same
// two from zod schemas).
const TOOL_DEFS = [
  { type: 'function', function: { name: 'get_order_status', description: 'Status of an order by id',
    parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'], additionalProperties: false } } },
  { type: 'function', function: { name: 'search_docs', description: 'Search the help center',
    parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query', 'limit'], additionalProperties: false } } },
];

/** Runs a tool as the application would: a short wait, and now and then a failure. */
async function executeTool(name, args, failShare, x) {
  await new Promise((r) => setTimeout(r, 20 + Math.floor(180 * x)));
  if (x < failShare) throw new Error(`${name} failed: upstream returned 503`);
  return name === 'get_order_status'
    ? { orderId: args.orderId, status: 'shipped', eta: '2 days' }
    : { results: [{ id: 'kb-112', title: 'Returns and refunds' }], limit: args.limit };
}

const tracer = trace.getTracer('corpus-app', '0.1.0');

/** Runs fn inside the framework's request span; marks it failed (status 502) when fn throws. The
 *  `corpus.call.*` attributes say what the generator asked for (streamed, tools, usage on the
 *  stream), so a test can tell a library's streamed spans from its others. */
function inRequestSpan(route, call, fn) {
  const attributes = { 'http.request.method': 'POST', 'http.route': route, 'url.path': route };
  for (const [k, v] of Object.entries(call)) attributes[`corpus.call.${k}`] = v;
  return tracer.startActiveSpan(`POST ${route}`, { kind: SpanKind.SERVER, attributes }, async (span) => {
    try {
      const r = await fn();
      span.setAttribute('http.response.status_code', 200);
      return r;
    } catch (e) {
      span.setAttribute('http.response.status_code', 502);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(e && e.message || e).slice(0, 200) });
      throw e;
    } finally {
      span.end();
    }
  });
}

module.exports = { promptFor, TOOL_DEFS, executeTool, inRequestSpan };
