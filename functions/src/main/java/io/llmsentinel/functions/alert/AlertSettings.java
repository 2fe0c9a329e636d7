package io.llmsentinel.functions.alert;

import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;

/**
 * When anomalies of one key's metric become an alert, and when the alert is over.
 *
 * @param anomalous an alert opens when at least this many of ...
 * @param of ... the metric's last {@code of} values (at most 32) were anomalous: evidence that
 *     persists, not one unlucky value
 * @param minSpanMs ... and the anomalies that reached the alert's severity span at least this much
 *     event time: a burst at one instant (a retry storm, one cold connection) is not an incident
 * @param evidenceWindowMs anomalies older than this (behind the newest) are no longer evidence
 * @param immediate one anomaly at least this severe opens an alert at once (extreme evidence); null
 *     for never: per-request metrics by default, since real APIs have heavy tails
 * @param recoveryMs an open alert resolves once the metric has had no persistent anomalies for this
 *     much event time
 * @param minEvidence anomalies less severe than this are stored and streamed but are no evidence
 *     for an alert: per-request metrics need medium by default (a low anomaly is within 1.5 times a
 *     detector's threshold: on heavy-tailed traffic, the ordinary tail)
 */
public record AlertSettings(
        int anomalous,
        int of,
        long minSpanMs,
        long evidenceWindowMs,
        Severity immediate,
        long recoveryMs,
        Severity minEvidence)
        implements Serializable {

    /** Settings in which every anomaly is evidence. */
    public AlertSettings(
            int anomalous,
            int of,
            long minSpanMs,
            long evidenceWindowMs,
            Severity immediate,
            long recoveryMs) {
        this(anomalous, of, minSpanMs, evidenceWindowMs, immediate, recoveryMs, Severity.LOW);
    }

    public AlertSettings {
        if (of < 1 || of > 32 || anomalous < 1 || anomalous > of) {
            throw new IllegalArgumentException(
                    "an alert needs 1 <= anomalous <= of <= 32, not " + anomalous + " of " + of);
        }
        if (anomalous > AlertState.MAX_EVIDENCE) {
            throw new IllegalArgumentException(
                    "at most " + AlertState.MAX_EVIDENCE + " anomalous values can be required");
        }
        if (minEvidence == null) {
            minEvidence = Severity.LOW;
        }
        if (recoveryMs < 1 || minSpanMs < 0 || evidenceWindowMs < minSpanMs) {
            throw new IllegalArgumentException(
                    "the recovery window must be positive and the evidence window at least the"
                            + " minimum span");
        }
    }

    /** Whether the metric's recent values show persistence (bit 0: the newest value). */
    boolean persists(int recentVerdicts) {
        int mask = of >= 32 ? -1 : (1 << of) - 1;
        return Integer.bitCount(recentVerdicts & mask) >= anomalous;
    }
}
