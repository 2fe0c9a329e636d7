package io.llmsentinel.functions.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Alerts as JSON (snake_case, ISO-8601 UTC times), the one place that defines what the alert
 * outputs send:
 *
 * <ul>
 *   <li>{@link #toBytes}: the alert record itself ({@code "record_type": "alert"}), for the
 *       console, the anomaly topic and storage;
 *   <li>{@link #payload}: what a person's channel gets: for an opening or escalation the anomaly
 *       (as the anomaly stream has it) with an {@code "alert"} object added; for a resolution the
 *       alert's summary (id, times, duration, severity, peak, repeats).
 * </ul>
 */
public final class AlertJson {
    private static final JsonFactory JSON = new JsonFactory();

    private AlertJson() {}

    public static byte[] toBytes(AlertEvent e) {
        return write(
                g -> {
                    g.writeStartObject();
                    g.writeNumberField("schema_version", AlertEvent.SCHEMA_VERSION);
                    g.writeStringField("record_type", "alert");
                    summary(e, g);
                    if (e.anomaly != null) {
                        g.writeObjectFieldStart("anomaly");
                        AnomalyJson.writeFields(e.anomaly, g);
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                });
    }

    public static String toJson(AlertEvent e) {
        return new String(toBytes(e), StandardCharsets.UTF_8);
    }

    /** The message body for a webhook's {@code data} or a RabbitMQ message. */
    public static byte[] payload(AlertEvent e) {
        return write(
                g -> {
                    g.writeStartObject();
                    if (e.anomaly != null) {
                        AnomalyJson.writeFields(e.anomaly, g);
                        g.writeObjectFieldStart("alert");
                        summary(e, g);
                        g.writeEndObject();
                    } else {
                        g.writeNumberField("schema_version", AlertEvent.SCHEMA_VERSION);
                        summary(e, g);
                    }
                    g.writeEndObject();
                });
    }

    private static void summary(AlertEvent e, JsonGenerator g) throws IOException {
        g.writeStringField("alert_id", e.alertId);
        g.writeStringField("state", e.state.label());
        g.writeStringField("event_time", Instant.ofEpochMilli(e.eventTimeMs).toString());
        g.writeStringField("opened_at", Instant.ofEpochMilli(e.openedAtMs).toString());
        g.writeStringField(
                "last_anomalous_at", Instant.ofEpochMilli(e.lastAnomalousAtMs).toString());
        if (e.state == AlertEvent.State.RESOLVED) {
            g.writeStringField("resolved_at", Instant.ofEpochMilli(e.eventTimeMs).toString());
        }
        g.writeNumberField("duration_ms", e.durationMs());
        g.writeStringField("severity", e.severity);
        g.writeStringField("anomaly_type", e.anomalyType);
        g.writeStringField("service", e.service);
        g.writeStringField("model", e.model);
        g.writeStringField("provider", e.provider);
        g.writeStringField("operation", e.operation);
        g.writeStringField("environment", e.environment);
        g.writeStringField("namespace", e.namespace);
        g.writeStringField("metric", e.metric);
        AnomalyJson.number(g, "peak_value", e.peakValue);
        AnomalyJson.number(g, "peak_score", e.peakScore);
        g.writeNumberField("repeats", e.repeats);
        g.writeArrayFieldStart("exemplars");
        for (int i = 0; i < e.exemplarTraceIds.length; i++) {
            g.writeStartObject();
            g.writeStringField("trace_id", e.exemplarTraceIds[i]);
            g.writeStringField("span_id", e.exemplarSpanIds[i]);
            if (i < e.exemplarUrls.length && e.exemplarUrls[i] != null) {
                g.writeStringField("url", e.exemplarUrls[i]);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        if (e.runbookUrl != null) {
            g.writeStringField("runbook_url", e.runbookUrl);
        }
        if (e.state == AlertEvent.State.OPENED) {
            g.writeObjectFieldStart("persistence");
            g.writeNumberField("anomalous", e.persistenceAnomalous);
            g.writeNumberField("of", e.persistenceOf);
            g.writeEndObject();
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
