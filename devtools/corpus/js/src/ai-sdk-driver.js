'use strict';
// Calls through the Vercel AI SDK with its own telemetry on (experimental_telemetry), as its docs
// show: generateText / streamText on the OpenAI provider's chat model (the provider's default model
// speaks the Responses API, which the fake server does not), tools with execute() so the SDK runs
// them itself (ai.toolCall spans), and embed().
const { generateText, streamText, embed, tool, stepCountIs } = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');
const { z } = require('zod');
const { executeTool } = require('./app');

function aiSdkDriver({ service, serverUrl, fetch, log }) {
  const provider = createOpenAI({
    baseURL: `${serverUrl}/v1`,
    apiKey: 'sk-corpus-not-a-real-key',
    headers: { 'x-sentinel-service': service },
    fetch,
  });

  function toolsFor(toolFailShare, x) {
    const run = (name) => async (args) => {
      try {
        const r = await executeTool(name, args, toolFailShare, x);
        log.tool(false);
        return r;
      } catch (e) {
        log.tool(true);
        throw e;
      }
    };
    return {
      get_order_status: tool({ description: 'Status of an order by id',
        inputSchema: z.object({ orderId: z.string() }), execute: run('get_order_status') }),
      search_docs: tool({ description: 'Search the help center',
        inputSchema: z.object({ query: z.string(), limit: z.number().int() }), execute: run('search_docs') }),
    };
  }

  async function chat({ model, prompt, stream, tools, maxTokens, toolFailShare, x, signal }) {
    const common = {
      model: provider.chat(model),
      system: prompt.system,
      prompt: prompt.user,
      // No retries, as for the raw client: a 429 is one failed call, not a hidden retry.
      maxRetries: 0,
      abortSignal: signal,
      ...(maxTokens ? { maxOutputTokens: maxTokens } : {}),
      ...(tools ? { tools: toolsFor(toolFailShare, x), stopWhen: stepCountIs(3) } : {}),
      experimental_telemetry: { isEnabled: true, functionId: `${service}.answer` },
    };
    if (!stream) {
      await generateText(common);
      return;
    }
    let failure = null;
    const result = streamText({ ...common, onError: ({ error }) => { failure = error; } });
    for await (const part of result.fullStream) {
      if (part.type === 'error') failure = failure || part.error;
    }
    if (failure) throw failure;
  }

  async function embedOne({ model, input, signal }) {
    await embed({ model: provider.embeddingModel(model), value: input, maxRetries: 0, abortSignal: signal,
      providerOptions: { openai: { dimensions: 16 } },
      experimental_telemetry: { isEnabled: true, functionId: `${service}.embed` } });
  }

  return { chat, embed: embedOne };
}

module.exports = { aiSdkDriver };
