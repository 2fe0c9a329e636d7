package io.llmsentinel.functions.alert;

import io.llmsentinel.functions.anomaly.Anomaly;

/**
 * A change of an alert's state, for the outputs that interrupt people: {@link State#OPENED} and
 * {@link State#ESCALATED} carry the anomaly that caused them; {@link State#RESOLVED} says how long
 * the alert lasted and how bad it got. A Flink POJO; written as JSON by {@link AlertJson}.
 */
public class AlertEvent {
    public static final int SCHEMA_VERSION = 1;

    /** What happened to the alert. */
    public enum State {
        OPENED,
        ESCALATED,
        RESOLVED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public String alertId;
    public State state;

    /** Event time of the change: the anomaly's, or for a resolution the end of the recovery. */
    public long eventTimeMs;

    public long openedAtMs;
    public long lastAnomalousAtMs;

    /** The alert's severity: the highest sent so far. */
    public String severity;

    public String anomalyType;
    public String service;
    public String model;
    public String provider;
    public String operation;
    public String environment;
    public String namespace;
    public String metric;

    public double peakValue = Double.NaN;
    public double peakScore = Double.NaN;

    /** Anomalies counted while the alert was open and not sent. */
    public long repeats;

    /** How many of the metric's last {@code persistenceOf} values were anomalous, at opening. */
    public int persistenceAnomalous;

    public int persistenceOf;

    /**
     * The alert's most anomalous requests so far (up to three, by score): trace and span ids, for
     * the person paged to open them in a trace viewer.
     */
    public String[] exemplarTraceIds = new String[0];

    public String[] exemplarSpanIds = new String[0];

    /**
     * Links to the exemplars in a trace viewer (alerts.trace-url-template); null entries if none.
     */
    public String[] exemplarUrls = new String[0];

    /** The runbook for this alert's type or metric (alerts.runbooks.*), or null. */
    public String runbookUrl;

    /** The anomaly behind an opening or escalation; null for a resolution. */
    public Anomaly anomaly;

    public AlertEvent() {}

    /** Time from the opening to the last anomalous value: how long the trouble lasted. */
    public long durationMs() {
        return lastAnomalousAtMs - openedAtMs;
    }

    /** The id outputs deduplicate on: the anomaly's for an opening or escalation. */
    public String messageId() {
        return state == State.RESOLVED ? alertId + ":resolved" : anomaly.anomalyId;
    }

    @Override
    public String toString() {
        return AlertJson.toJson(this);
    }
}
