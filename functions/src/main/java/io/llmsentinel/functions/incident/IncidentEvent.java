package io.llmsentinel.functions.incident;

/**
 * A change of an incident, for the outputs that interrupt people: alerts of one service (and, by
 * configuration, one model or provider) that opened within a group window, told as one story.
 * {@link State#OPENED} once, when the group's first wait is over; {@link State#UPDATED} when
 * another metric joined or the severity rose (at most once per group interval); {@link
 * State#RESOLVED} when every alert of it has resolved. Written as JSON by {@link IncidentJson}; a
 * Flink POJO.
 */
public class IncidentEvent {
    public static final int SCHEMA_VERSION = 1;

    /** What happened to the incident. */
    public enum State {
        OPENED,
        UPDATED,
        RESOLVED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Deterministic: the id of the first alert of the incident. */
    public String incidentId;

    public State state;

    /** Event time of this change. */
    public long eventTimeMs;

    public long openedAtMs;

    /** When every alert had resolved; 0 until then. */
    public long resolvedAtMs;

    /** The highest severity among its alerts so far. */
    public String severity;

    /** What the incident is grouped by: the service, and the model or provider if configured. */
    public String service;

    public String model;
    public String provider;
    public String environment;

    /** A one-line title: "support-bot: latency_ms, ttft_ms high (gpt-4o)". */
    public String title;

    /** The alerts, in the order they joined. */
    public IncidentAlert[] alerts = new IncidentAlert[0];

    /** Up to three exemplar requests over its alerts (the most anomalous first). */
    public String[] exemplarTraceIds = new String[0];

    public String[] exemplarSpanIds = new String[0];

    /**
     * Links to the exemplars in a trace viewer ({@code alerts.trace-url-template}); may be empty.
     */
    public String[] exemplarUrls = new String[0];

    /** The runbook of the incident's most severe alert ({@code alerts.runbooks.*}), or null. */
    public String runbookUrl;

    /** Changes sent before this one (0 for the opening). */
    public int sequence;

    public IncidentEvent() {}

    /** The id outputs deduplicate on: the incident and the change. */
    public String messageId() {
        return incidentId + ":" + state.label() + ":" + sequence;
    }

    /** One alert of an incident, as the incident knows it. */
    public static class IncidentAlert {
        public String alertId;
        public String metric;
        public String anomalyType;
        public String model;
        public String provider;
        public String operation;
        public String severity;

        /** open or resolved. */
        public String state;

        public long openedAtMs;
        public double peakValue = Double.NaN;
        public String runbookUrl;

        public IncidentAlert() {}
    }

    @Override
    public String toString() {
        return IncidentJson.toJson(this);
    }
}
