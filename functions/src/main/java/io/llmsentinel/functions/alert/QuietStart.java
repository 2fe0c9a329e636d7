package io.llmsentinel.functions.alert;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Metric;
import java.io.Serializable;
import java.util.List;

/**
 * When a key's baseline is too young to alert on: fewer than {@code minSamples} values (per-request
 * metrics; windowed ones already wait for their window warm-up) or seen for less than {@code
 * minAgeMs} of event time. A young baseline has not yet seen the key's ordinary variation, so its
 * anomalies are stored and streamed, marked {@link Anomaly#warmingUp}, and open no alert.
 */
public record QuietStart(long minSamples, long minAgeMs) implements Serializable {

    /** Never young: every anomaly may count (tests, and replays of mature state). */
    public static final QuietStart NONE = new QuietStart(0, 0);

    public boolean young(Metric m, long samples, long ageMs) {
        return (m.perRequest() && samples < minSamples) || ageMs < minAgeMs;
    }

    /** Marks the anomalies of a key first seen at {@code firstSeenMs}. */
    public void mark(List<Anomaly> anomalies, long firstSeenMs) {
        for (Anomaly a : anomalies) {
            Metric m = Metric.fromCode(a.metric);
            a.warmingUp = young(m, a.baselineSamples, a.eventTimeMs - firstSeenMs);
        }
    }
}
