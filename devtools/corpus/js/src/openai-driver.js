'use strict';
// Calls through the real `openai` client, as an application does: chat completions (streamed or
// not, with a tool round trip when the model asks for a tool) and embeddings. The instrumentation
// of the variant has patched the client before this file is loaded.
const { TOOL_DEFS, executeTool } = require('./app');

function openaiDriver({ service, serverUrl, fetch, log }) {
  const OpenAI = require('openai');
  const client = new OpenAI({
    baseURL: `${serverUrl}/v1`,
    apiKey: 'sk-corpus-not-a-real-key',
    defaultHeaders: { 'x-sentinel-service': service },
    // No retries: every 429 or 500 stays one failed call and one failed span (with the client's
    // default of 2 retries, the library's span would hide them inside one slow success).
    maxRetries: 0,
    timeout: 300_000,
    fetch,
  });

  async function chat({ model, prompt, stream, tools, maxTokens, includeUsage, toolFailShare, x, signal }) {
    const messages = [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.user }];
    const base = { model, ...(maxTokens ? { max_tokens: maxTokens } : {}) };
    if (stream) {
      const s = await client.chat.completions.create({ ...base, messages, stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }, { signal });
      for await (const chunk of s) { void chunk; }
      return;
    }
    let r = await client.chat.completions.create({ ...base, messages, ...(tools ? { tools: TOOL_DEFS } : {}) }, { signal });
    // The tool round trip: run what the model asked for, answer with the results (one more call).
    for (let step = 0; step < 2 && r.choices[0].finish_reason === 'tool_calls'; step++) {
      const asked = r.choices[0].message;
      messages.push(asked);
      for (const tc of asked.tool_calls) {
        let content;
        try {
          content = JSON.stringify(await executeTool(tc.function.name, JSON.parse(tc.function.arguments), toolFailShare, x));
          log.tool(false);
        } catch (e) {
          content = JSON.stringify({ error: e.message });
          log.tool(true);
        }
        messages.push({ role: 'tool', tool_call_id: tc.id, content });
      }
      r = await client.chat.completions.create({ ...base, messages, tools: TOOL_DEFS }, { signal });
    }
  }

  async function embed({ model, input, signal }) {
    await client.embeddings.create({ model, input, dimensions: 16 }, { signal });
  }

  return { chat, embed };
}

module.exports = { openaiDriver };
