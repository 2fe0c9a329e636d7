'use strict';
// The OpenTelemetry SDK as an application sets it up: a NodeTracerProvider with the service's
// resource, a BatchSpanProcessor and the OTLP/HTTP JSON exporter, then the variant's
// instrumentation. It must run before anything requires `openai`: the instrumentations patch the
// module as it is loaded.
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');

// What each variant instruments; `embeddings` says whether the library makes a span for
// `embeddings.create` (OpenLLMetry's does not, so that variant makes no embeddings calls).
const VARIANTS = {
  otel: { embeddings: true, load: () => new (require('@opentelemetry/instrumentation-openai').OpenAIInstrumentation)() },
  // enrichTokens stays off, its default: with it, OpenLLMetry counts a stream's tokens itself.
  openllmetry: { embeddings: false, load: () => new (require('@traceloop/instrumentation-openai').OpenAIInstrumentation)() },
  openinference: { embeddings: true, load: () => new (require('@arizeai/openinference-instrumentation-openai').OpenAIInstrumentation)() },
  // The AI SDK traces itself (experimental_telemetry on each call) through the global provider.
  'ai-sdk': { embeddings: true, load: () => null },
};

function startTelemetry({ variant, service, receiverUrl }) {
  const v = VARIANTS[variant];
  if (!v) throw new Error(`unknown variant ${variant}; one of ${Object.keys(VARIANTS).join(', ')}`);
  const exporter = new OTLPTraceExporter({ url: `${receiverUrl}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': '1.4.2',
      'deployment.environment.name': 'corpus',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
    }),
    // The SDK's defaults, written out: a batch every 5 s or every 512 spans.
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 5000, maxExportBatchSize: 512, maxQueueSize: 8192 })],
  });
  provider.register();
  const instrumentation = v.load();
  if (instrumentation) registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: provider });
  return { provider, instrumentsEmbeddings: v.embeddings };
}

module.exports = { startTelemetry, VARIANTS };
