package io.llmsentinel.functions.read;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.exporter.logging.otlp.internal.traces.OtlpStdoutSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collection;
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
        List<SpanData> finished = new ArrayList<>();
        SpanExporter collector =
                new SpanExporter() {
                    @Override
                    public CompletableResultCode export(Collection<SpanData> spans) {
                        finished.addAll(spans);
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                };
        try (SdkTracerProvider provider =
                SdkTracerProvider.builder()
                        .setResource(
                                Resource.create(
                                        Attributes.builder()
                                                .put("service.name", service)
                                                .put("deployment.environment.name", "test")
                                                .put("service.namespace", "ns")
                                                .build()))
                        .addSpanProcessor(SimpleSpanProcessor.create(collector))
                        .build()) {
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
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OtlpStdoutSpanExporter exporter = OtlpStdoutSpanExporter.builder().setOutput(out).build();
        exporter.export(finished).join(5, TimeUnit.SECONDS);
        return out.toByteArray();
    }

    static void error(Span s) {
        s.setStatus(StatusCode.ERROR, "boom");
    }
}
