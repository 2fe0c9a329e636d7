#!/usr/bin/env node
'use strict';
// Writes <out>/manifest.json (what made the corpus: package versions as installed, Node, seed,
// duration, rates, the fake server's base rates) and prints the run's summary, one line per
// variant, from each variant's calls.json, incidents.json and spans.jsonl.
//
//   node manifest.js --out DIR --variants a,b --seed N --duration S --rate-min R --rate-max R
//        --start-ms MS [--services a,b] [--models m1,m2]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values: o } = parseArgs({ options: {
  out: { type: 'string' }, variants: { type: 'string' }, seed: { type: 'string' }, duration: { type: 'string' },
  'rate-min': { type: 'string' }, 'rate-max': { type: 'string' }, 'start-ms': { type: 'string' }, plan: { type: 'string', default: 'default' },
  'tools-share': { type: 'string', default: '0.15' },
  services: { type: 'string', default: 'support-bot,doc-search' }, models: { type: 'string', default: 'gpt-4o,gpt-4o-mini' },
} });

const PACKAGES = ['openai', '@opentelemetry/instrumentation-openai', '@traceloop/instrumentation-openai',
  '@arizeai/openinference-instrumentation-openai', 'ai', '@ai-sdk/openai', '@opentelemetry/api',
  '@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources', '@opentelemetry/instrumentation', 'zod'];
const installed = (p) => {
  try { return JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', p, 'package.json'), 'utf8')).version; }
  catch { return null; }
};

async function main() {
  const { BASE, MODELS } = await import('../fake-openai/behaviour.mjs');
  const variants = o.variants.split(',').filter((v) => fs.existsSync(path.join(o.out, v, 'calls.json')));
  const manifest = {
    generator: 'devtools/corpus (scripts/corpus.sh)',
    created: new Date().toISOString(),
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, installed(p)])),
    seed: Number(o.seed),
    duration_s: Number(o.duration),
    start_ms: Number(o['start-ms']),
    incident_plan: o.plan,
    services: o.services.split(','),
    models: o.models.split(','),
    rate_per_key_per_s: { min: Number(o['rate-min']), max: Number(o['rate-max']), drift: '+-30% over 4-10 min, Poisson arrivals' },
    call_mix: { embeddings: 0.05, streamed: 0.4, tools_offered: Number(o['tools-share']), max_tokens_512: 0.3, stream_include_usage_raw_client: 0.5 },
    fake_server_base_rates: BASE,
    fake_server_models: MODELS,
    machine: { cpus: os.cpus().length, loadavg_at_end: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    variants: {},
  };
  console.log('variant        calls  streamed  embed  failed  tools(failed)  lines   spans  incidents');
  for (const v of variants) {
    const dir = path.join(o.out, v);
    const calls = JSON.parse(fs.readFileSync(path.join(dir, 'calls.json'), 'utf8'));
    const incidents = JSON.parse(fs.readFileSync(path.join(dir, 'incidents.json'), 'utf8'));
    let lines = 0;
    let spans = 0;
    for (const line of fs.readFileSync(path.join(dir, 'spans.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      lines++;
      for (const rs of JSON.parse(line).resourceSpans || []) for (const ss of rs.scopeSpans || []) spans += (ss.spans || []).length;
    }
    manifest.variants[v] = { llm_calls: calls.llm_calls, failed_calls: calls.failed_calls, spans_lines: lines, spans,
      spans_bytes: fs.statSync(path.join(dir, 'spans.jsonl')).size, incidents: incidents.map((i) => i.name) };
    console.log(`${v.padEnd(14)} ${String(calls.llm_calls ?? "-").padStart(5)}  ${String(calls.streamed_calls ?? '-').padStart(8)}  `
      + `${String(calls.embeddings_calls ?? '-').padStart(5)}  ${String(calls.failed_calls ?? "-").padStart(6)}  `
      + `${`${calls.tool_executions ?? '-'}(${calls.tool_failures ?? '-'})`.padStart(13)}  ${String(lines).padStart(5)}  `
      + `${String(spans).padStart(6)}  ${incidents.map((i) => `${i.name}[${i.kind} ${i.service || '*'}/${i.model || '*'} `
      + `${i.start_s}-${i.end_s}s]`).join(' ')}`);
  }
  fs.writeFileSync(path.join(o.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

main().catch((e) => { console.error(`manifest: ${e.stack || e}`); process.exit(1); });
