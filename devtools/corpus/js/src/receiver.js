'use strict';
// A minimal OTLP/HTTP trace receiver: each POST /v1/traces body (an ExportTraceServiceRequest in
// OTLP/JSON) becomes one line of the output file, as the Collector's Kafka exporter would put one
// message on the topic per request.
const http = require('node:http');
const fs = require('node:fs');
const zlib = require('node:zlib');

function startReceiver(file) {
  const out = fs.openSync(file, 'a');
  const stats = { requests: 0, spans: 0, rejected: 0 };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url.split('?')[0] !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    const parts = [];
    req.on('data', (b) => parts.push(b));
    req.on('end', () => {
      try {
        let body = Buffer.concat(parts);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        if (!String(req.headers['content-type'] || '').includes('json')) throw new Error(`not OTLP/JSON: ${req.headers['content-type']}`);
        // Parsed and written back compactly: one request, one line, whatever the sender's spacing.
        const msg = JSON.parse(body.toString('utf8'));
        fs.writeSync(out, `${JSON.stringify(msg)}\n`);
        stats.requests++;
        for (const rs of msg.resourceSpans || []) for (const ss of rs.scopeSpans || []) stats.spans += (ss.spans || []).length;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (e) {
        stats.rejected++;
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: e.message }));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      stats,
      close: () => new Promise((r) => server.close(() => { fs.closeSync(out); r(); })),
    }));
  });
}

module.exports = { startReceiver };
