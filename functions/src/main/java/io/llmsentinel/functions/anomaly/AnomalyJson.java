package io.llmsentinel.functions.anomaly;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The anomaly event as JSON (snake_case, times as ISO-8601 UTC, unknown numbers as null). This is
 * the one place that defines the wire format every sink sends.
 */
public final class AnomalyJson {
    private static final JsonFactory JSON = new JsonFactory();

    private AnomalyJson() {}

    public static byte[] toBytes(Anomaly a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(768);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(a, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String toJson(Anomaly a) {
        return new String(toBytes(a), StandardCharsets.UTF_8);
    }

    private static void write(Anomaly a, JsonGenerator g) throws IOException {
        g.writeStartObject();
        writeFields(a, g);
        g.writeEndObject();
    }

    /** The anomaly's fields, into an object the caller has started (alerts embed them). */
    public static void writeFields(Anomaly a, JsonGenerator g) throws IOException {
        g.writeNumberField("schema_version", Anomaly.SCHEMA_VERSION);
        g.writeStringField("anomaly_id", a.anomalyId);
        g.writeStringField("event_time", Instant.ofEpochMilli(a.eventTimeMs).toString());
        g.writeStringField("detected_at", Instant.ofEpochMilli(a.detectedAtMs).toString());
        g.writeStringField("severity", a.severity);
        g.writeStringField("anomaly_type", a.anomalyType);
        g.writeStringField("service", a.service);
        g.writeStringField("model", a.model);
        g.writeStringField("provider", a.provider);
        g.writeStringField("operation", a.operation);
        g.writeStringField("environment", a.environment);
        g.writeStringField("namespace", a.namespace);
        g.writeStringField("metric", a.metric);
        number(g, "value", a.value);
        number(g, "score", a.score);
        g.writeArrayFieldStart("detectors");
        if (a.detectors != null) {
            for (DetectorFinding f : a.detectors) {
                g.writeStartObject();
                g.writeStringField("name", f.detector);
                number(g, "score", f.score);
                number(g, "statistic", f.statistic);
                number(g, "threshold", f.threshold);
                g.writeStringField("severity", f.severity);
                g.writeStringField("direction", f.direction);
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeObjectFieldStart("baseline");
        number(g, "mean", a.baselineMean);
        number(g, "stddev", a.baselineStddev);
        number(g, "median", a.baselineMedian);
        number(g, "mad", a.baselineMad);
        number(g, "q1", a.baselineQ1);
        number(g, "q3", a.baselineQ3);
        g.writeNumberField("samples", a.baselineSamples);
        g.writeEndObject();
        if (a.warmingUp) {
            g.writeBooleanField("warming_up", true);
        }
        g.writeStringField("trace_id", a.traceId);
        g.writeStringField("span_id", a.spanId);
        g.writeNumberField("suppressed_before", a.suppressedBefore);
    }

    public static void number(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(name, v);
        } else {
            g.writeNullField(name);
        }
    }
}
