#!/usr/bin/env node
'use strict';
// Prints the default incident plan of a run as the fake server's --incidents JSON: windows placed
// as fractions of the duration, so a short sample and a 20-minute corpus have the same story.
// The first and main one (a key's answers get slower and longer at once, as in issue 18's
// reproduction) starts at 40% of the run, well after the keys' fresh start; then one incident for
// each LLM-specific signal, each on its own key and time.
//
// The `sample` plan is for the small checked-in sample, whose low rate (it must stay small) would
// leave a normal plan's short windows nearly empty: longer windows, higher shares, the same kinds.
//
//   node plan.js --duration S --variant V [--plan default|sample] [--services a,b] [--models m1,m2]
const { parseArgs } = require('node:util');

const { values: o } = parseArgs({ options: {
  duration: { type: 'string', default: '1200' }, variant: { type: 'string', default: 'otel' },
  plan: { type: 'string', default: 'default' },
  services: { type: 'string', default: 'support-bot,doc-search' }, models: { type: 'string', default: 'gpt-4o,gpt-4o-mini' },
} });
const d = Number(o.duration);
const [a, b] = o.services.split(',');
const [big, small] = o.models.split(',');
const at = (f) => Math.round(d * f);
const plans = {
  default: () => [
    { name: 'slow-answers', service: a, model: big, kind: 'latency', factor: 4, start_s: at(0.40), end_s: at(0.50) },
    { name: 'long-answers', service: a, model: big, kind: 'output_tokens', factor: 3, start_s: at(0.40), end_s: at(0.50) },
    { name: 'rate-limited', service: b, model: small, kind: 'rate_limited', share: 0.4, start_s: at(0.62), end_s: at(0.70) },
    { name: 'truncated', service: a, model: small, kind: 'truncation', share: 0.4, start_s: at(0.78), end_s: at(0.86) },
    { name: 'cache-miss', service: b, model: big, kind: 'cache_miss', start_s: at(0.88), end_s: at(0.96) },
    { name: 'content-filtered', service: a, model: big, kind: 'content_filter', share: 0.3, start_s: at(0.88), end_s: at(0.95) },
    // Only the AI SDK makes a span of each tool execution (ai.toolCall): the others' tool failures
    // would leave no trace to detect.
    ...(o.variant === 'ai-sdk' ? [{ name: 'tools-failing', service: a, model: small, kind: 'tool_errors', share: 0.6,
      start_s: at(0.62), end_s: at(0.70) }] : []),
  ],
  sample: () => [
    { name: 'slow-answers', service: a, model: big, kind: 'latency', factor: 4, start_s: at(0.35), end_s: at(0.65) },
    { name: 'long-answers', service: a, model: big, kind: 'output_tokens', factor: 3, start_s: at(0.35), end_s: at(0.65) },
    { name: 'rate-limited', service: b, model: small, kind: 'rate_limited', share: 0.5, start_s: at(0.25), end_s: at(0.95) },
    { name: 'truncated', service: a, model: small, kind: 'truncation', share: 0.5, start_s: at(0.35), end_s: at(0.65) },
    { name: 'cache-miss', service: b, model: big, kind: 'cache_miss', start_s: at(0.35), end_s: at(0.65) },
    { name: 'content-filtered', service: a, model: big, kind: 'content_filter', share: 0.5, start_s: at(0.70), end_s: at(0.95) },
    { name: 'server-errors', service: b, model: big, kind: 'errors', share: 0.5, start_s: at(0.70), end_s: at(0.95) },
    ...(o.variant === 'ai-sdk' ? [{ name: 'tools-failing', service: a, model: small, kind: 'tool_errors', share: 0.8,
      start_s: at(0.35), end_s: at(0.95) }] : []),
  ],
};
if (!plans[o.plan]) { console.error(`plan.js: --plan must be one of ${Object.keys(plans).join(', ')}`); process.exit(2); }
const plan = plans[o.plan]();
process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
