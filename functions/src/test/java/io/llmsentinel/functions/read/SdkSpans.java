package io.llmsentinel.functions.read;

import io.llmsentinel.testkit.OtlpJsonTraces;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Spans made by the real OpenTelemetry SDK and marshalled by its OTLP/JSON exporter. */
final class SdkSpans {
    static final long START_NANOS = 1_764_000_000_000_000_000L;

    private SdkSpans() {}

    /** One message with one span of the given duration, attributes set by {@code attributes}. */
    static byte[] message(String service, long durationMs, Consumer<Span> attributes) {
        return message(service, List.of(new SpanSpec(durationMs, attributes)));
    }

    record SpanSpec(long durationMs, Consumer<Span> attributes) {}

    static byte[] message(String service, List<SpanSpec> specs) {
        try (OtlpJsonTraces otlp = new OtlpJsonTraces()) {
            SdkTracerProvider provider =
                    otlp.provider(
                            Attributes.builder()
                                    .put("service.name", service)
                                    .put("deployment.environment.name", "test")
                                    .put("service.namespace", "ns")
                                    .build());
            long t = START_NANOS;
            for (SpanSpec spec : specs) {
                Span span =
                        provider.get("test")
                                .spanBuilder("chat")
                                .setStartTimestamp(t, TimeUnit.NANOSECONDS)
                                .startSpan();
                spec.attributes().accept(span);
                span.end(t + spec.durationMs() * 1_000_000L, TimeUnit.NANOSECONDS);
                t += 1_000_000_000L;
            }
            return otlp.drain();
        }
    }

    static void error(Span s) {
        s.setStatus(StatusCode.ERROR, "boom");
    }
}
