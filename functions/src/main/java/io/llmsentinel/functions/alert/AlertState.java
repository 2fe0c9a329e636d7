package io.llmsentinel.functions.alert;

import java.util.Arrays;

/**
 * What the alert policy keeps per key and metric, in keyed state: the recent anomalies (the
 * evidence, newest last, at most {@link #MAX_EVIDENCE} within the evidence window) and, while an
 * alert is open, what its resolution will say and its exemplars (the most anomalous requests). No
 * state at all when the metric has had no anomaly for an evidence window and no alert is open.
 */
public final class AlertState {
    /** Anomalies kept as evidence, at most. */
    public static final int MAX_EVIDENCE = 16;

    /** Exemplar requests kept per alert, at most. */
    public static final int MAX_EXEMPLARS = 3;

    /** The open alert's id (the id of the anomaly that opened it); null while none is open. */
    public String alertId;

    public long openedAtMs;

    /** Event time of the last anomaly that still showed persistence: recovery counts from it. */
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

    /** Event times and severities (ordinals) of the recent anomalies, oldest first. */
    public long[] evidenceAt = new long[0];

    public byte[] evidenceSeverity = new byte[0];

    /** The open alert's most anomalous requests (by score): trace and span ids, values, scores. */
    public String[] exemplarTraceIds = new String[0];

    public String[] exemplarSpanIds = new String[0];
    public double[] exemplarValues = new double[0];
    public double[] exemplarScores = new double[0];

    /** The one event-time timer registered for this key and metric, or 0. */
    public long timerAtMs;

    public boolean isOpen() {
        return alertId != null;
    }

    /** Adds an anomaly to the evidence and forgets what is older than {@code windowMs}. */
    void addEvidence(long t, int severity, long windowMs) {
        int n = evidenceAt.length;
        long[] at = Arrays.copyOf(evidenceAt, n + 1);
        byte[] sev = Arrays.copyOf(evidenceSeverity, n + 1);
        // In time order, whatever the order of arrival.
        int i = n;
        while (i > 0 && at[i - 1] > t) {
            at[i] = at[i - 1];
            sev[i] = sev[i - 1];
            i--;
        }
        at[i] = t;
        sev[i] = (byte) severity;
        long newest = at[n];
        int from = 0;
        while (from < at.length
                && (at[from] < newest - windowMs || at.length - from > MAX_EVIDENCE)) {
            from++;
        }
        evidenceAt = Arrays.copyOfRange(at, from, at.length);
        evidenceSeverity = Arrays.copyOfRange(sev, from, sev.length);
    }

    /** The newest evidence's event time, or Long.MIN_VALUE when there is none. */
    long newestEvidence() {
        return evidenceAt.length == 0 ? Long.MIN_VALUE : evidenceAt[evidenceAt.length - 1];
    }

    /**
     * The highest severity (ordinal) that at least {@code anomalous} pieces of evidence reached,
     * spanning at least {@code minSpanMs} of event time; -1 if none. It depends on which anomalies
     * arrived, not on the order they arrived in.
     */
    int sustainedSeverity(int anomalous, long minSpanMs, int levels) {
        for (int level = levels - 1; level >= 0; level--) {
            int count = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int i = 0; i < evidenceAt.length; i++) {
                if (evidenceSeverity[i] >= level) {
                    count++;
                    first = Math.min(first, evidenceAt[i]);
                    last = Math.max(last, evidenceAt[i]);
                }
            }
            if (count >= anomalous && last - first >= minSpanMs) {
                return level;
            }
        }
        return -1;
    }

    /** Keeps the request among the alert's exemplars if it is among the most anomalous. */
    void offerExemplar(String traceId, String spanId, double value, double score) {
        if (traceId == null || traceId.isEmpty()) {
            return;
        }
        int n = exemplarScores.length;
        if (n == MAX_EXEMPLARS && score <= exemplarScores[n - 1]) {
            return;
        }
        int size = Math.min(n + 1, MAX_EXEMPLARS);
        String[] t = Arrays.copyOf(exemplarTraceIds, size);
        String[] s = Arrays.copyOf(exemplarSpanIds, size);
        double[] v = Arrays.copyOf(exemplarValues, size);
        double[] sc = Arrays.copyOf(exemplarScores, size);
        int i = Math.min(n, MAX_EXEMPLARS - 1);
        while (i > 0 && sc[i - 1] < score) {
            t[i] = t[i - 1];
            s[i] = s[i - 1];
            v[i] = v[i - 1];
            sc[i] = sc[i - 1];
            i--;
        }
        t[i] = traceId;
        s[i] = spanId;
        v[i] = value;
        sc[i] = score;
        exemplarTraceIds = t;
        exemplarSpanIds = s;
        exemplarValues = v;
        exemplarScores = sc;
    }

    /** Forgets the alert (after its resolution), keeping nothing. */
    void closeAlert() {
        alertId = null;
        repeats = 0;
        exemplarTraceIds = new String[0];
        exemplarSpanIds = new String[0];
        exemplarValues = new double[0];
        exemplarScores = new double[0];
        evidenceAt = new long[0];
        evidenceSeverity = new byte[0];
    }

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
        c.evidenceAt = evidenceAt.clone();
        c.evidenceSeverity = evidenceSeverity.clone();
        c.exemplarTraceIds = exemplarTraceIds.clone();
        c.exemplarSpanIds = exemplarSpanIds.clone();
        c.exemplarValues = exemplarValues.clone();
        c.exemplarScores = exemplarScores.clone();
        c.timerAtMs = timerAtMs;
        return c;
    }
}
