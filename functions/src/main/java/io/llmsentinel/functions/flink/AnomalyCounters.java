package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.DetectorFinding;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Anomaly counters by detector and severity, for the web UI and Prometheus: {@code
 * sentinel.anomalies.detector.<d>.severity.<s>.count}, registered on first use.
 */
final class AnomalyCounters {
    private final MetricGroup group;
    private final Map<String, Counter> counters = new HashMap<>();

    AnomalyCounters(MetricGroup operatorGroup) {
        this.group = operatorGroup.addGroup("sentinel").addGroup("anomalies");
    }

    void count(Anomaly a) {
        for (DetectorFinding f : a.detectors) {
            counters.computeIfAbsent(
                            f.detector + "|" + a.severity,
                            k ->
                                    group.addGroup("detector", f.detector)
                                            .addGroup("severity", a.severity)
                                            .counter("count"))
                    .inc();
        }
    }
}
