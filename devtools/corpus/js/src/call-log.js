'use strict';
// What the generator really did, counted where it cannot be wrong: at the HTTP request to the model
// API (every request is one LLM call, whatever a library or framework makes of it), plus the tool
// executions the application ran. calls.json is made from it; a reader's count of requests is
// checked against it.

class CallLog {
  constructor() {
    this.byKey = new Map(); // "service|model|kind" -> counts
    this.tools = { executed: 0, failed: 0 };
  }

  /** kind: chat, chat_stream or embeddings; outcome: ok, rate_limited, server_error, client_error,
   *  connection (dropped or timed out), aborted. */
  record(service, model, kind, outcome) {
    const k = `${service}|${model}|${kind}`;
    let c = this.byKey.get(k);
    if (!c) this.byKey.set(k, (c = { service, model, kind, calls: 0, ok: 0, failed: {} }));
    c.calls++;
    if (outcome === 'ok') c.ok++;
    else c.failed[outcome] = (c.failed[outcome] || 0) + 1;
  }

  tool(failed) {
    this.tools.executed++;
    if (failed) this.tools.failed++;
  }

  total() {
    let n = 0;
    for (const c of this.byKey.values()) n += c.calls;
    return n;
  }

  toJSON() {
    return { keys: [...this.byKey.values()], tools: this.tools };
  }
}

// A fetch that records each model API request in the log before handing back the answer.
function countingFetch(log, service) {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.url || String(input);
    const path = new URL(url).pathname;
    let body = {};
    try { body = JSON.parse(typeof init.body === 'string' ? init.body : '{}'); } catch { /* not JSON */ }
    const kind = path.endsWith('/embeddings') ? 'embeddings' : body.stream ? 'chat_stream' : 'chat';
    const model = body.model || 'unknown';
    try {
      const res = await fetch(input, init);
      log.record(service, model, kind, outcomeOf(res.status));
      return res;
    } catch (e) {
      log.record(service, model, kind, e && e.name === 'AbortError' ? 'aborted' : 'connection');
      throw e;
    }
  };
}

function outcomeOf(status) {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'client_error';
}

module.exports = { CallLog, countingFetch };
