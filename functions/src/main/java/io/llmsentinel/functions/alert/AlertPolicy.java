package io.llmsentinel.functions.alert;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * Between anomalies (evidence) and alerts (a decision to interrupt a person), per key and metric:
 *
 * <ul>
 *   <li><b>Trigger</b>: an alert opens when the evidence persists ({@link
 *       AlertSettings#anomalous()} of the metric's last {@link AlertSettings#of()} values
 *       anomalous) or is extreme (one anomaly at {@link AlertSettings#immediate()} or worse).
 *       Anomalies that do not open an alert are stored and streamed like every other, but interrupt
 *       nobody.
 *   <li><b>Escalation</b>: an anomaly more severe than anything sent for the open alert is sent at
 *       once; <b>repeats</b> are counted, not sent.
 *   <li><b>Recovery</b>: the alert resolves once the metric has had no anomalous value for {@link
 *       AlertSettings#recoveryMs()} of event time; the resolution says how long it lasted, its peak
 *       and how many repeats were held back.
 * </ul>
 *
 * Plain Java: {@code AlertPolicyFunction} keeps the {@link AlertState} in keyed state and sets the
 * event-time timer at {@link #resolvesAt(AlertState)}.
 */
public final class AlertPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<Metric, AlertSettings> settings;
    private final AlertSettings fallback;

    public AlertPolicy(Map<Metric, AlertSettings> settings, AlertSettings fallback) {
        this.settings = new EnumMap<>(Metric.class);
        this.settings.putAll(settings);
        this.fallback = fallback;
    }

    public AlertSettings settingsFor(String metricCode) {
        for (Metric m : Metric.values()) {
            if (m.code().equals(metricCode)) {
                return settings.getOrDefault(m, fallback);
            }
        }
        return fallback;
    }

    /** What one anomaly does: the state after it (null if no alert is open) and what to send. */
    public record Decision(AlertState state, AlertEvent event) {}

    public Decision onAnomaly(AlertState open, Anomaly a) {
        AlertSettings s = settingsFor(a.metric);
        Severity severity = Severity.parse(a.severity);
        if (open == null) {
            if (!s.opens(a.recentVerdicts, severity)) {
                return new Decision(null, null);
            }
            AlertState st = new AlertState();
            st.alertId = a.anomalyId;
            st.openedAtMs = a.eventTimeMs;
            st.lastAnomalousAtMs = a.eventTimeMs;
            st.sentSeverity = severity.ordinal();
            st.peakValue = a.value;
            st.peakScore = a.score;
            st.anomalyType = a.anomalyType;
            st.service = a.service;
            st.model = a.model;
            st.provider = a.provider;
            st.operation = a.operation;
            st.environment = a.environment;
            st.namespace = a.namespace;
            st.metric = a.metric;
            AlertEvent e = event(st, AlertEvent.State.OPENED, a.eventTimeMs, a);
            e.persistenceOf = s.of();
            int mask = s.of() >= 32 ? -1 : (1 << s.of()) - 1;
            e.persistenceAnomalous = Integer.bitCount(a.recentVerdicts & mask);
            return new Decision(st, e);
        }
        open.lastAnomalousAtMs = Math.max(open.lastAnomalousAtMs, a.eventTimeMs);
        if (a.score > open.peakScore || Double.isNaN(open.peakScore)) {
            open.peakScore = a.score;
            open.peakValue = a.value;
        }
        if (severity.ordinal() > open.sentSeverity) {
            open.sentSeverity = severity.ordinal();
            open.anomalyType = a.anomalyType;
            return new Decision(open, event(open, AlertEvent.State.ESCALATED, a.eventTimeMs, a));
        }
        open.repeats++;
        return new Decision(open, null);
    }

    /** Event time at which {@code open} resolves if no anomaly comes before. */
    public long resolvesAt(AlertState open) {
        return open.lastAnomalousAtMs + settingsFor(open.metric).recoveryMs();
    }

    /**
     * Event time has reached {@code timeMs}: the resolution if the alert has recovered, else null
     * (the caller waits until {@link #resolvesAt(AlertState)}).
     */
    public AlertEvent onTime(AlertState open, long timeMs) {
        long at = resolvesAt(open);
        return timeMs >= at ? event(open, AlertEvent.State.RESOLVED, at, null) : null;
    }

    private static AlertEvent event(AlertState s, AlertEvent.State state, long t, Anomaly a) {
        AlertEvent e = new AlertEvent();
        e.alertId = s.alertId;
        e.state = state;
        e.eventTimeMs = t;
        e.openedAtMs = s.openedAtMs;
        e.lastAnomalousAtMs = s.lastAnomalousAtMs;
        e.severity = Severity.values()[s.sentSeverity].label();
        e.anomalyType = s.anomalyType;
        e.service = s.service;
        e.model = s.model;
        e.provider = s.provider;
        e.operation = s.operation;
        e.environment = s.environment;
        e.namespace = s.namespace;
        e.metric = s.metric;
        e.peakValue = s.peakValue;
        e.peakScore = s.peakScore;
        e.repeats = s.repeats;
        e.anomaly = a;
        return e;
    }
}
