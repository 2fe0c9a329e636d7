package io.llmsentinel.devtools.generator;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import io.llmsentinel.testkit.OtlpJsonMetrics;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GenAI metrics an instrumented application would export beside its spans: each generated
 * request is read back (with the job's own reader) and recorded with the real OpenTelemetry SDK as
 * {@code gen_ai.client.operation.duration} (seconds) and {@code gen_ai.client.token.usage} (by
 * token type), one meter provider per service; {@link #collect} marshals what each service
 * recorded, as its OTLP/JSON exporter would, delta or cumulative.
 */
final class MetricsRecorder implements AutoCloseable {
    private final OtlpTraceReader reader = new OtlpTraceReader(PriceTable.empty(), 16 << 20, 0);
    private final boolean cumulative;
    private final long startMs;
    private final Map<String, Service> services = new LinkedHashMap<>();

    private record Service(OtlpJsonMetrics sdk, DoubleHistogram duration, LongHistogram tokens) {}

    MetricsRecorder(boolean cumulative, long startMs) {
        this.cumulative = cumulative;
        this.startMs = startMs;
    }

    /** Records the model calls of one generated span message; returns how many. */
    int record(byte[] spans) {
        List<LlmRequest> requests =
                reader.read(spans).requests().stream()
                        // the GenAI client metrics measure model calls, not tool executions
                        .filter(r -> r.kind != RequestKind.TOOL_EXECUTION)
                        .toList();
        for (LlmRequest r : requests) {
            Service s =
                    services.computeIfAbsent(
                            r.service,
                            name -> {
                                OtlpJsonMetrics sdk =
                                        new OtlpJsonMetrics(
                                                OtlpJsonMetrics.attributes(
                                                        "service.name", name,
                                                        "deployment.environment.name",
                                                                r.environment == null
                                                                        ? "prod"
                                                                        : r.environment,
                                                        "service.namespace",
                                                                r.namespace == null
                                                                        ? ""
                                                                        : r.namespace),
                                                cumulative,
                                                startMs * 1_000_000L);
                                var meter = sdk.meter("io.llmsentinel.generator");
                                return new Service(
                                        sdk,
                                        meter.histogramBuilder("gen_ai.client.operation.duration")
                                                .setUnit("s")
                                                // the boundaries the GenAI conventions advise
                                                .setExplicitBucketBoundariesAdvice(
                                                        List.of(
                                                                0.01, 0.02, 0.04, 0.08, 0.16, 0.32,
                                                                0.64, 1.28, 2.56, 5.12, 10.24,
                                                                20.48, 40.96, 81.92))
                                                .build(),
                                        meter.histogramBuilder("gen_ai.client.token.usage")
                                                .setUnit("{token}")
                                                .ofLongs()
                                                .build());
                            });
            s.sdk().at(r.eventTimeMs);
            AttributesBuilder b =
                    Attributes.builder()
                            .put("gen_ai.provider.name", r.provider)
                            .put("gen_ai.request.model", r.model)
                            .put("gen_ai.operation.name", r.operation);
            if (r.error) {
                b.put("error.type", r.errorType == null ? "error" : r.errorType);
            }
            Attributes call = b.build();
            if (Double.isFinite(r.latencyMs)) {
                s.duration().record(r.latencyMs / 1000.0, call);
            }
            if (Double.isFinite(r.inputTokens)) {
                s.tokens()
                        .record(
                                (long) r.inputTokens,
                                call.toBuilder()
                                        .put(AttributeKey.stringKey("gen_ai.token.type"), "input")
                                        .build());
            }
            if (Double.isFinite(r.outputTokens)) {
                s.tokens()
                        .record(
                                (long) r.outputTokens,
                                call.toBuilder()
                                        .put(AttributeKey.stringKey("gen_ai.token.type"), "output")
                                        .build());
            }
        }
        return requests.size();
    }

    /** One OTLP/JSON metrics message per service, as of {@code nowMs}. */
    List<byte[]> collect(long nowMs) {
        List<byte[]> out = new ArrayList<>();
        for (Service s : services.values()) {
            s.sdk().at(nowMs);
            byte[] m = s.sdk().collect();
            if (m.length > 0) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void close() {
        services.values().forEach(s -> s.sdk().close());
    }
}
