package io.llmsentinel.functions.alert;

/**
 * The open alert of one key's metric, kept in keyed state (a handful of fields, whatever the number
 * of anomalies): what the resolved event will say, and when the alert may resolve. No state at all
 * while no alert is open.
 */
public final class AlertState {
    /** The alert's id: the id of the anomaly that opened it. */
    public String alertId;

    public long openedAtMs;
    public long lastAnomalousAtMs;

    /** The highest severity sent for this alert (ordinal of {@code Severity}). */
    public int sentSeverity;

    public double peakValue;
    public double peakScore;

    /** Anomalies counted while open and not sent (no higher severity). */
    public long repeats;

    public String anomalyType;

    /** The key's dimensions and the metric, to name the alert when it resolves. */
    public String service;

    public String model;
    public String provider;
    public String operation;
    public String environment;
    public String namespace;
    public String metric;

    public AlertState copy() {
        AlertState c = new AlertState();
        c.alertId = alertId;
        c.openedAtMs = openedAtMs;
        c.lastAnomalousAtMs = lastAnomalousAtMs;
        c.sentSeverity = sentSeverity;
        c.peakValue = peakValue;
        c.peakScore = peakScore;
        c.repeats = repeats;
        c.anomalyType = anomalyType;
        c.service = service;
        c.model = model;
        c.provider = provider;
        c.operation = operation;
        c.environment = environment;
        c.namespace = namespace;
        c.metric = metric;
        return c;
    }
}
