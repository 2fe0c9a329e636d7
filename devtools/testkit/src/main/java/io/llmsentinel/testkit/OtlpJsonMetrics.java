package io.llmsentinel.testkit;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.logging.otlp.internal.metrics.OtlpStdoutMetricExporter;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Metrics recorded with the real OpenTelemetry Java SDK and marshalled by its own OTLP/JSON
 * exporter into one {@code ExportMetricsServiceRequest} per collection: what an instrumented
 * application sends through the Collector's Kafka exporter with {@code encoding: otlp_json}. Its
 * clock is this object's ({@link #advance}), so the points' times are the caller's; the temporality
 * (delta or cumulative) is chosen at construction, as an application's exporter chooses it. Not
 * thread-safe.
 */
public final class OtlpJsonMetrics implements AutoCloseable {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
    private final OtlpStdoutMetricExporter exporter;
    private final Reader reader;
    private final SdkMeterProvider provider;
    private long nowNanos;

    /**
     * @param startNanos the clock's start (the process start, for cumulative series)
     */
    public OtlpJsonMetrics(Attributes resource, boolean cumulative, long startNanos) {
        this.nowNanos = startNanos;
        AggregationTemporalitySelector temporality =
                cumulative
                        ? AggregationTemporalitySelector.alwaysCumulative()
                        : AggregationTemporalitySelector.deltaPreferred();
        this.exporter =
                OtlpStdoutMetricExporter.builder()
                        .setOutput(buffer)
                        .setAggregationTemporalitySelector(temporality)
                        .build();
        this.reader = new Reader(temporality);
        this.provider =
                SdkMeterProvider.builder()
                        .setClock(
                                new Clock() {
                                    @Override
                                    public long now() {
                                        return nowNanos;
                                    }

                                    @Override
                                    public long nanoTime() {
                                        return nowNanos;
                                    }
                                })
                        .setResource(Resource.getDefault().merge(Resource.create(resource)))
                        .registerMetricReader(reader)
                        .build();
    }

    public Meter meter(String scope) {
        return provider.get(scope);
    }

    /** Sets the clock (epoch milliseconds); it never goes back. */
    public void at(long epochMs) {
        nowNanos = Math.max(nowNanos, TimeUnit.MILLISECONDS.toNanos(epochMs));
    }

    /** Moves the clock. */
    public void advance(long millis) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** What was recorded since the last collection (delta) or ever (cumulative), as one message. */
    public byte[] collect() {
        buffer.reset();
        exporter.export(reader.registration.collectAllMetrics()).join(10, TimeUnit.SECONDS);
        return buffer.toString(StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        provider.close();
        exporter.shutdown();
    }

    private static final class Reader implements MetricReader {
        private final AggregationTemporalitySelector temporality;
        private CollectionRegistration registration = CollectionRegistration.noop();

        Reader(AggregationTemporalitySelector temporality) {
            this.temporality = temporality;
        }

        @Override
        public void register(CollectionRegistration r) {
            this.registration = r;
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return temporality.getAggregationTemporality(type);
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** Attributes, for callers that do not import the API. */
    public static Attributes attributes(String... keyValues) {
        var b = Attributes.builder();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            b.put(keyValues[i], keyValues[i + 1]);
        }
        return b.build();
    }
}
