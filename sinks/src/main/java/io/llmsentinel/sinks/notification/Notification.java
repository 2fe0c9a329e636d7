package io.llmsentinel.sinks.notification;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertJson;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.functions.incident.IncidentJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the outputs that interrupt people (webhooks in every format, RabbitMQ) need of one change,
 * whether they deliver incidents or single alerts: made once per change in the sink's {@code
 * write}, so every endpoint and every format tells the same story with the same ids and times.
 *
 * @param kind an incident or a single alert
 * @param id what the changes of one incident (or alert) share: PagerDuty's {@code dedup_key}
 * @param messageId this change, for deduplication ({@code webhook-id}, {@code message_id})
 * @param action opened, updated or resolved (an incident); opened, escalated or resolved (an alert)
 * @param type the event type of a Standard Webhooks body and of a RabbitMQ message ({@code
 *     incident.opened}; {@code anomaly.detected} or {@code anomaly.resolved} for alerts)
 * @param timestampMs when this change happened, as the body says it
 * @param severity the highest severity so far (filters compare it)
 * @param title one line for a person: "support-bot: latency_ms, ttft_ms high (gpt-4o)"
 * @param anomalyType the anomaly type of the most severe alert
 * @param alerts the alerts, in the order they joined (one for a single alert)
 * @param exemplars up to three requests to look at first, with their trace viewer links if any
 * @param runbookUrl what to do about it, or null
 * @param data the change as JSON ({@link IncidentJson#toBytes} or {@link AlertJson#payload}): the
 *     {@code data} of a Standard Webhooks body and the body of a RabbitMQ message
 */
public record Notification(
        Kind kind,
        String id,
        String messageId,
        String action,
        String type,
        long timestampMs,
        long openedAtMs,
        long resolvedAtMs,
        String severity,
        String service,
        String model,
        String provider,
        String environment,
        String title,
        String anomalyType,
        List<Alert> alerts,
        List<Exemplar> exemplars,
        String runbookUrl,
        byte[] data) {

    /** What changed: an incident (the default delivery) or one alert (per-alert delivery). */
    public enum Kind {
        INCIDENT,
        ALERT
    }

    /** One alert of the change. {@code peakValue} is NaN when unknown. */
    public record Alert(
            String metric,
            String anomalyType,
            String severity,
            String state,
            String model,
            double peakValue) {}

    /** A request worth opening; {@code url} is null without a trace URL template. */
    public record Exemplar(String traceId, String spanId, String url) {}

    public static final String RESOLVED = "resolved";

    public boolean resolved() {
        return RESOLVED.equals(action);
    }

    /** Whether this change is at least {@code min} severe (an unreadable severity counts low). */
    public boolean atLeast(Severity min) {
        return severityLevel().ordinal() >= min.ordinal();
    }

    public Severity severityLevel() {
        try {
            return Severity.parse(severity);
        } catch (RuntimeException e) {
            return Severity.LOW;
        }
    }

    /** An incident change, as the incident operator made it. */
    public static Notification of(IncidentEvent e) {
        IncidentEvent.IncidentAlert[] incidentAlerts =
                e.alerts == null ? new IncidentEvent.IncidentAlert[0] : e.alerts;
        List<Alert> alerts = new ArrayList<>(incidentAlerts.length);
        String anomalyType = null;
        Severity worst = null;
        for (IncidentEvent.IncidentAlert a : incidentAlerts) {
            alerts.add(
                    new Alert(a.metric, a.anomalyType, a.severity, a.state, a.model, a.peakValue));
            Severity s = parseOrNull(a.severity);
            if (anomalyType == null || (s != null && (worst == null || s.compareTo(worst) > 0))) {
                anomalyType = a.anomalyType;
                worst = s;
            }
        }
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; e.exemplarTraceIds != null && i < e.exemplarTraceIds.length; i++) {
            exemplars.add(
                    new Exemplar(
                            e.exemplarTraceIds[i],
                            at(e.exemplarSpanIds, i),
                            at(e.exemplarUrls, i)));
        }
        String action = e.state.label();
        return new Notification(
                Kind.INCIDENT,
                e.incidentId,
                e.messageId(),
                action,
                "incident." + action,
                e.eventTimeMs,
                e.openedAtMs,
                e.resolvedAtMs,
                e.severity,
                e.service,
                e.model,
                e.provider,
                e.environment,
                e.title != null ? e.title : e.service + ": incident " + e.incidentId,
                anomalyType,
                alerts,
                exemplars,
                e.runbookUrl,
                IncidentJson.toBytes(e));
    }

    /**
     * A single alert's change (per-alert delivery): the bodies and ids the alert outputs sent
     * before incidents existed, byte for byte. A resolution is stamped with the time it is sent.
     */
    public static Notification of(AlertEvent e) {
        boolean resolved = e.state == AlertEvent.State.RESOLVED;
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; e.exemplarTraceIds != null && i < e.exemplarTraceIds.length; i++) {
            exemplars.add(new Exemplar(e.exemplarTraceIds[i], at(e.exemplarSpanIds, i), null));
        }
        String severity = e.severity == null ? null : e.severity.toLowerCase(Locale.ROOT);
        return new Notification(
                Kind.ALERT,
                e.alertId,
                e.messageId(),
                e.state.label(),
                resolved ? "anomaly.resolved" : "anomaly.detected",
                resolved ? System.currentTimeMillis() : e.anomaly.detectedAtMs,
                e.openedAtMs,
                resolved ? e.eventTimeMs : 0,
                e.severity,
                e.service,
                e.model,
                e.provider,
                e.environment,
                e.service
                        + ": "
                        + e.metric
                        + " "
                        + severity
                        + (e.model == null ? "" : " (" + e.model + ")"),
                e.anomalyType,
                List.of(
                        new Alert(
                                e.metric,
                                e.anomalyType,
                                e.severity,
                                resolved ? "resolved" : "open",
                                e.model,
                                e.peakValue)),
                exemplars,
                null,
                AlertJson.payload(e));
    }

    private static String at(String[] values, int i) {
        return values != null && i < values.length ? values[i] : null;
    }

    private static Severity parseOrNull(String s) {
        try {
            return s == null ? null : Severity.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
