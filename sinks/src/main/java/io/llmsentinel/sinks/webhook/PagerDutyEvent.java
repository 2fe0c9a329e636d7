package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import io.llmsentinel.sinks.notification.Notification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A change as a PagerDuty Events API v2 event
 * (developer.pagerduty.com/docs/events-api-v2/trigger-events): {@code trigger} when an incident
 * opens or is updated (PagerDuty folds every trigger with the same {@code dedup_key}, the incident
 * id, into one PagerDuty incident), {@code resolve} when it resolves. A trigger carries the payload
 * (summary, source and component the service, group the model, class the anomaly type, severity
 * mapped: critical to critical, high to error, medium to warning, low to info), custom details (the
 * alerts, exemplars, runbook) and links (exemplar traces and the runbook).
 *
 * <p>The routing key is the integration's secret: it is not in the body kept in the backlog (so
 * neither checkpoints nor dead letters hold it) but put in front of it when the event is sent
 * ({@link #withRoutingKey}).
 */
final class PagerDutyEvent {
    private static final JsonFactory JSON = new JsonFactory();

    /** Where PagerDuty takes events, unless the endpoint's {@code url} says otherwise. */
    static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";

    /** PagerDuty's limit on the summary. */
    static final int SUMMARY_MAX = 1024;

    private PagerDutyEvent() {}

    /** PagerDuty's severity for ours. */
    static String severity(Notification n) {
        return switch (n.severityLevel()) {
            case CRITICAL -> "critical";
            case HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW -> "info";
        };
    }

    /** The event without its routing key. */
    static byte[] body(Notification n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1536);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("event_action", n.resolved() ? "resolve" : "trigger");
            g.writeStringField("dedup_key", n.id());
            if (!n.resolved()) {
                g.writeStringField("client", "LLM-Sentinel");
                payload(g, n);
                links(g, n);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void payload(JsonGenerator g, Notification n) throws IOException {
        g.writeObjectFieldStart("payload");
        g.writeStringField("summary", SlackMessage.cut(n.title(), SUMMARY_MAX));
        g.writeStringField("source", n.service() == null ? "llm-sentinel" : n.service());
        g.writeStringField("severity", severity(n));
        g.writeStringField("timestamp", Instant.ofEpochMilli(n.timestampMs()).toString());
        if (n.service() != null) {
            g.writeStringField("component", n.service());
        }
        if (n.model() != null) {
            g.writeStringField("group", n.model());
        }
        if (n.anomalyType() != null) {
            g.writeStringField("class", n.anomalyType());
        }
        g.writeObjectFieldStart("custom_details");
        g.writeStringField(
                n.kind() == Notification.Kind.INCIDENT ? "incident_id" : "alert_id", n.id());
        g.writeStringField("change", n.action());
        g.writeStringField("severity", n.severity());
        g.writeStringField("service", n.service());
        g.writeStringField("model", n.model());
        g.writeStringField("provider", n.provider());
        g.writeStringField("environment", n.environment());
        g.writeStringField("opened_at", Instant.ofEpochMilli(n.openedAtMs()).toString());
        g.writeArrayFieldStart("alerts");
        for (Notification.Alert a : n.alerts()) {
            g.writeStartObject();
            g.writeStringField("metric", a.metric());
            g.writeStringField("severity", a.severity());
            g.writeStringField("state", a.state());
            g.writeStringField("anomaly_type", a.anomalyType());
            g.writeStringField("model", a.model());
            AnomalyJson.number(g, "peak_value", a.peakValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("exemplars");
        for (Notification.Exemplar e : n.exemplars()) {
            g.writeStartObject();
            g.writeStringField("trace_id", e.traceId());
            g.writeStringField("span_id", e.spanId());
            g.writeStringField("url", e.url());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("runbook_url", n.runbookUrl());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void links(JsonGenerator g, Notification n) throws IOException {
        g.writeArrayFieldStart("links");
        for (Notification.Exemplar e : n.exemplars()) {
            if (isHttp(e.url())) {
                link(g, e.url(), "Exemplar trace " + e.traceId());
            }
        }
        if (isHttp(n.runbookUrl())) {
            link(g, n.runbookUrl(), "Runbook");
        }
        g.writeEndArray();
    }

    private static void link(JsonGenerator g, String href, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("href", href);
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    private static boolean isHttp(String url) {
        return url != null && (url.startsWith("https://") || url.startsWith("http://"));
    }

    /**
     * The body as sent: {@code {"routing_key": <key>, ...the kept body}}. The kept body is one JSON
     * object this class wrote: it opens with a brace and holds at least {@code event_action}.
     */
    static byte[] withRoutingKey(byte[] body, String routingKey) {
        byte[] head =
                ("{\"routing_key\":\""
                                + new String(
                                        JsonStringEncoder.getInstance().quoteAsString(routingKey))
                                + "\",")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length - 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 1, out, head.length, body.length - 1);
        return out;
    }
}
