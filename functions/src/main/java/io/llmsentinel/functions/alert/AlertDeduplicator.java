package io.llmsentinel.functions.alert;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;

/**
 * Decides which anomalies of one (key, metric, anomaly type) become alerts. The first one opens a
 * window (default five minutes of event time, measured from that first alert and never extended by
 * repeats); inside it repeats are counted, not sent, unless one is more severe than all sent so
 * far, which goes out at once. The count of what was suppressed travels with the next alert. The
 * state is three numbers however many anomalies arrive, so a storm cannot grow it.
 *
 * <p>State layout ({@code long[3]}): window start (event time, ms), highest severity sent in the
 * window (ordinal), anomalies suppressed since the last alert.
 */
public final class AlertDeduplicator implements Serializable {
    private static final long serialVersionUID = 1L;

    static final int WINDOW_START = 0;
    static final int SEVERITY_SENT = 1;
    static final int SUPPRESSED = 2;

    private final long windowMs;

    public AlertDeduplicator(long windowMs) {
        if (windowMs <= 0) {
            throw new IllegalArgumentException("the deduplication window must be positive");
        }
        this.windowMs = windowMs;
    }

    public static long[] newState() {
        return new long[] {Long.MIN_VALUE, -1, 0};
    }

    /**
     * Returns whether {@code a} is sent as an alert; when it is, sets its {@code suppressedBefore}
     * to the repeats suppressed since the previous alert. Updates {@code state} either way.
     */
    public boolean admit(long[] state, Anomaly a) {
        int severity = Severity.parse(a.severity).ordinal();
        boolean windowOpen =
                state[WINDOW_START] != Long.MIN_VALUE
                        && a.eventTimeMs >= state[WINDOW_START]
                        && a.eventTimeMs < state[WINDOW_START] + windowMs;
        if (windowOpen && severity <= state[SEVERITY_SENT]) {
            state[SUPPRESSED]++;
            return false;
        }
        if (!windowOpen) {
            state[WINDOW_START] = a.eventTimeMs;
        }
        state[SEVERITY_SENT] = severity;
        a.suppressedBefore = state[SUPPRESSED];
        state[SUPPRESSED] = 0;
        return true;
    }
}
