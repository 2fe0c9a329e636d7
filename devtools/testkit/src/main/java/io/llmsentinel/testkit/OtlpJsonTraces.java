package io.llmsentinel.testkit;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.logging.otlp.internal.traces.OtlpStdoutSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Spans made by the real OpenTelemetry Java SDK, marshalled by its own OTLP/JSON exporter into one
 * {@code ExportTraceServiceRequest} per batch: the bytes an instrumented application sends through
 * the Collector's Kafka exporter with {@code encoding: otlp_json} (hex ids, 64-bit values as
 * strings). Spans end into this object; {@link #drain()} marshals what ended since the last call.
 * Not thread-safe. The exporter lives in an internal package of {@code
 * opentelemetry-exporter-logging-otlp}, so the version is pinned in the parent pom.
 */
public final class OtlpJsonTraces implements AutoCloseable {
    private final List<SpanData> finished = new ArrayList<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
    private final OtlpStdoutSpanExporter marshaller =
            OtlpStdoutSpanExporter.builder().setOutput(buffer).build();
    private final List<SdkTracerProvider> providers = new ArrayList<>();

    /** A tracer provider for one resource whose spans end here. */
    public SdkTracerProvider provider(Attributes resource) {
        SdkTracerProvider p =
                SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().merge(Resource.create(resource)))
                        .addSpanProcessor(SimpleSpanProcessor.create(new Collector()))
                        .build();
        providers.add(p);
        return p;
    }

    /** The spans that ended since the last call, as one OTLP/JSON message (UTF-8). */
    public byte[] drain() {
        buffer.reset();
        marshaller.export(new ArrayList<>(finished)).join(10, TimeUnit.SECONDS);
        finished.clear();
        return buffer.toString(StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        providers.forEach(SdkTracerProvider::close);
        marshaller.shutdown();
    }

    private final class Collector implements SpanExporter {
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
    }
}
