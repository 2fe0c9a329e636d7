package io.llmsentinel.sinks;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertSettings;
import io.llmsentinel.functions.alert.AlertState;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Severity;
import java.util.Map;

/** Alert events as the job's policy makes them, for the outputs' tests. */
public final class AlertEvents {
    private AlertEvents() {}

    /** A policy that opens an alert on any anomaly and resolves it a minute after the last. */
    private static final AlertPolicy ANY =
            new AlertPolicy(Map.of(), new AlertSettings(1, 1, 0, 60_000, Severity.LOW, 60_000));

    public static AlertEvent opened(Anomaly a) {
        return ANY.onAnomaly(null, a).event();
    }

    /** The resolution of the alert {@code a} opened. */
    public static AlertEvent resolved(Anomaly a) {
        AlertState s = ANY.onAnomaly(null, a).state();
        return ANY.onTime(s, ANY.nextTimer(s)).resolved();
    }
}
