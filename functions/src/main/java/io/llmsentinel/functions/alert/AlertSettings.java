package io.llmsentinel.functions.alert;

import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;

/**
 * When anomalies of one key's metric become an alert, and when the alert is over.
 *
 * @param anomalous an alert opens when at least this many of ...
 * @param of ... the metric's last {@code of} values (at most 32) were anomalous: evidence that
 *     persists, not one unlucky value
 * @param immediate one anomaly at least this severe opens an alert at once (extreme evidence)
 * @param recoveryMs an open alert resolves once the metric has had no anomalous value for this much
 *     event time
 */
public record AlertSettings(int anomalous, int of, Severity immediate, long recoveryMs)
        implements Serializable {

    public AlertSettings {
        if (of < 1 || of > 32 || anomalous < 1 || anomalous > of) {
            throw new IllegalArgumentException(
                    "an alert needs 1 <= anomalous <= of <= 32, not " + anomalous + " of " + of);
        }
        if (immediate == null || recoveryMs < 1) {
            throw new IllegalArgumentException(
                    "the immediate severity must be set and the recovery window positive");
        }
    }

    /** The evidence needed to open an alert, given the anomaly's recent verdicts (bit 0 newest). */
    boolean opens(int recentVerdicts, Severity severity) {
        int mask = of >= 32 ? -1 : (1 << of) - 1;
        return severity.ordinal() >= immediate.ordinal()
                || Integer.bitCount(recentVerdicts & mask) >= anomalous;
    }
}
