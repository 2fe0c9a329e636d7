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
 *   <li><b>Quiet start</b>: anomalies of a young baseline ({@link Anomaly#warmingUp}: too few
 *       values or too short a history, see {@code alerts.quiet-start.*}) open nothing; they are
 *       stored and streamed, marked as such.
 *   <li><b>Evidence</b>: anomalies at least {@link AlertSettings#minEvidence()} severe (per-request
 *       metrics: medium; a low one is within 1.5 times a threshold, the ordinary tail of heavy
 *       traffic) are stored and streamed like every other, and are the only ones that count below.
 *   <li><b>Trigger</b>: an alert opens when the evidence persists: at least {@link
 *       AlertSettings#anomalous()} of the metric's last {@link AlertSettings#of()} values were
 *       anomalous, and the anomalies at the alert's severity span at least {@link
 *       AlertSettings#minSpanMs()} of event time within {@link AlertSettings#evidenceWindowMs()}.
 *       One value never opens an alert of a per-request metric, however extreme: real APIs have
 *       heavy tails. Where configured ({@link AlertSettings#immediate()}; the windowed metrics by
 *       default), one anomaly that severe opens an alert at once.
 *   <li><b>Severity</b> is the one the evidence sustains: the highest that at least {@code
 *       anomalous} anomalies reached, not the worst single value. It does not depend on the order
 *       in which the same anomalies arrived.
 *   <li><b>Escalation</b>: when the evidence sustains a higher severity while open, it is sent at
 *       once; <b>repeats</b> are counted, not sent.
 *   <li><b>Recovery</b>: the alert resolves once the metric has had no persistent anomalies for
 *       {@link AlertSettings#recoveryMs()} of event time (an isolated anomaly of the ordinary tail
 *       does not hold it open); the resolution says how long it lasted, its peak, its exemplars and
 *       how many repeats were held back.
 * </ul>
 *
 * Plain Java: {@code AlertPolicyFunction} keeps the {@link AlertState} in keyed state and sets one
 * event-time timer at {@link #nextTimer(AlertState)}.
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

    /** What an anomaly did to the policy's state. */
    public enum Outcome {
        OPENED,
        ESCALATED,
        /** Counted against an open alert, not sent. */
        REPEAT,
        /** Kept as evidence; no alert (yet). */
        EVIDENCE,
        /** The baseline was too young to alert on: stored, not evidence. */
        WARMING_UP
    }

    /**
     * What one anomaly does: the state after it (null if nothing needs keeping), what to send (or
     * null), and the outcome, for the metrics.
     */
    public record Decision(AlertState state, AlertEvent event, Outcome outcome) {}

    public Decision onAnomaly(AlertState state, Anomaly a) {
        AlertSettings s = settingsFor(a.metric);
        Severity severity = Severity.parse(a.severity);
        if (a.warmingUp && (state == null || !state.isOpen())) {
            return new Decision(state, null, Outcome.WARMING_UP);
        }
        boolean evidence = severity.compareTo(s.minEvidence()) >= 0;
        if (!evidence && (state == null || !state.isOpen())) {
            return new Decision(state, null, Outcome.EVIDENCE); // stored, but no evidence
        }
        AlertState st = state != null ? state : new AlertState();
        if (evidence) {
            st.addEvidence(a.eventTimeMs, severity.ordinal(), s.evidenceWindowMs());
        }
        boolean persists = evidence && s.persists(a.recentVerdicts);
        int level =
                persists
                        ? st.sustainedSeverity(
                                s.anomalous(), s.minSpanMs(), Severity.values().length)
                        : -1;
        if (s.immediate() != null && severity.compareTo(s.immediate()) >= 0) {
            level = Math.max(level, severity.ordinal());
        }
        if (!st.isOpen()) {
            if (level < 0) {
                return new Decision(st, null, Outcome.EVIDENCE);
            }
            open(st, a, level);
            AlertEvent e = event(st, AlertEvent.State.OPENED, a.eventTimeMs, a);
            e.persistenceOf = s.of();
            int mask = s.of() >= 32 ? -1 : (1 << s.of()) - 1;
            e.persistenceAnomalous = Integer.bitCount(a.recentVerdicts & mask);
            return new Decision(st, e, Outcome.OPENED);
        }
        if (level >= 0) {
            st.lastAnomalousAtMs = Math.max(st.lastAnomalousAtMs, a.eventTimeMs);
        }
        if (a.score > st.peakScore || Double.isNaN(st.peakScore)) {
            st.peakScore = a.score;
            st.peakValue = a.value;
        }
        st.offerExemplar(a.traceId, a.spanId, a.value, a.score);
        if (level > st.sentSeverity) {
            st.sentSeverity = level;
            st.anomalyType = a.anomalyType;
            return new Decision(
                    st, event(st, AlertEvent.State.ESCALATED, a.eventTimeMs, a), Outcome.ESCALATED);
        }
        st.repeats++;
        return new Decision(st, null, Outcome.REPEAT);
    }

    private static void open(AlertState st, Anomaly a, int level) {
        st.alertId = a.anomalyId;
        st.openedAtMs = a.eventTimeMs;
        st.lastAnomalousAtMs = a.eventTimeMs;
        st.sentSeverity = level;
        st.peakValue = a.value;
        st.peakScore = a.score;
        st.repeats = 0;
        st.anomalyType = a.anomalyType;
        st.service = a.service;
        st.model = a.model;
        st.provider = a.provider;
        st.operation = a.operation;
        st.environment = a.environment;
        st.namespace = a.namespace;
        st.metric = a.metric;
        st.offerExemplar(a.traceId, a.spanId, a.value, a.score);
    }

    /**
     * The event time at which {@link #onTime} has something to do: the end of the recovery window
     * of an open alert, else the moment the evidence has all aged out (the state can go).
     */
    public long nextTimer(AlertState st) {
        if (st.isOpen()) {
            return st.lastAnomalousAtMs + settingsFor(st.metric).recoveryMs();
        }
        return st.newestEvidence() + settingsFor(st.metric).evidenceWindowMs();
    }

    /** What {@link #onTime} found. */
    public record Tick(AlertEvent resolved, boolean keep) {}

    /**
     * Event time has reached {@code timeMs}: the resolution if the open alert has recovered; and
     * whether the state is still needed (an open alert, or evidence that is still recent).
     */
    public Tick onTime(AlertState st, long timeMs) {
        long due = nextTimer(st);
        if (timeMs < due) {
            return new Tick(null, true);
        }
        if (st.isOpen()) {
            AlertEvent e = event(st, AlertEvent.State.RESOLVED, due, null);
            st.closeAlert();
            return new Tick(e, false);
        }
        return new Tick(null, false);
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
        e.exemplarTraceIds = s.exemplarTraceIds.clone();
        e.exemplarSpanIds = s.exemplarSpanIds.clone();
        e.anomaly = a;
        return e;
    }
}
