package io.llmsentinel.functions.incident;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Incidents as JSON (snake_case, ISO-8601 UTC times), the one place that defines what an incident
 * notification says; {@code "record_type": "incident"} on the anomaly topic and the console.
 *
 * <pre>
 * {"schema_version":1,"record_type":"incident","incident_id":"..","state":"opened","sequence":0,
 *  "event_time":"..","opened_at":"..","resolved_at":null,"severity":"high","title":"..",
 *  "service":"support-bot","model":null,"provider":null,"environment":"production",
 *  "alerts":[{"alert_id":"..","metric":"latency_ms","anomaly_type":"latency_spike","model":"gpt-4o",
 *             "provider":"openai","operation":"chat","severity":"high","state":"open",
 *             "opened_at":"..","peak_value":5321.0,"runbook_url":".."}],
 *  "exemplars":[{"trace_id":"..","span_id":"..","url":".."}],"runbook_url":".."}
 * </pre>
 */
public final class IncidentJson {
    private static final JsonFactory JSON = new JsonFactory();

    private IncidentJson() {}

    public static String toJson(IncidentEvent e) {
        return new String(toBytes(e), StandardCharsets.UTF_8);
    }

    public static byte[] toBytes(IncidentEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schema_version", IncidentEvent.SCHEMA_VERSION);
            g.writeStringField("record_type", "incident");
            g.writeStringField("incident_id", e.incidentId);
            g.writeStringField("state", e.state.label());
            g.writeNumberField("sequence", e.sequence);
            g.writeStringField("event_time", instant(e.eventTimeMs));
            g.writeStringField("opened_at", instant(e.openedAtMs));
            if (e.resolvedAtMs > 0) {
                g.writeStringField("resolved_at", instant(e.resolvedAtMs));
            } else {
                g.writeNullField("resolved_at");
            }
            g.writeStringField("severity", e.severity);
            g.writeStringField("title", e.title);
            g.writeStringField("service", e.service);
            g.writeStringField("model", e.model);
            g.writeStringField("provider", e.provider);
            g.writeStringField("environment", e.environment);
            g.writeArrayFieldStart("alerts");
            for (IncidentEvent.IncidentAlert a :
                    e.alerts == null ? new IncidentEvent.IncidentAlert[0] : e.alerts) {
                g.writeStartObject();
                g.writeStringField("alert_id", a.alertId);
                g.writeStringField("metric", a.metric);
                g.writeStringField("anomaly_type", a.anomalyType);
                g.writeStringField("model", a.model);
                g.writeStringField("provider", a.provider);
                g.writeStringField("operation", a.operation);
                g.writeStringField("severity", a.severity);
                g.writeStringField("state", a.state);
                g.writeStringField("opened_at", instant(a.openedAtMs));
                AnomalyJson.number(g, "peak_value", a.peakValue);
                g.writeStringField("runbook_url", a.runbookUrl);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("exemplars");
            for (int i = 0; i < e.exemplarTraceIds.length; i++) {
                g.writeStartObject();
                g.writeStringField("trace_id", e.exemplarTraceIds[i]);
                g.writeStringField(
                        "span_id", i < e.exemplarSpanIds.length ? e.exemplarSpanIds[i] : null);
                g.writeStringField("url", i < e.exemplarUrls.length ? e.exemplarUrls[i] : null);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("runbook_url", e.runbookUrl);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static String instant(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
