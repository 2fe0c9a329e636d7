package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.LlmRequest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges every watched per-request metric of a request against its key's baselines, then lets the
 * values join them; one anomaly per metric whose detectors fired. Plain Java: the Flink function
 * only loads and stores the {@link KeyBaseline}.
 */
public final class RequestDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    private final MetricDetector[] detectors;

    public RequestDetector(DetectionSettings settings) {
        List<MetricDetector> d = new ArrayList<>();
        for (Metric m : settings.requestMetrics()) {
            d.add(new MetricDetector(m, settings.metrics().get(m)));
        }
        this.detectors = d.toArray(new MetricDetector[0]);
    }

    public List<Anomaly> observe(KeyBaseline baseline, LlmRequest r, long nowMs) {
        List<Anomaly> found = null;
        for (MetricDetector d : detectors) {
            double x = d.metric().valueOf(r);
            if (!Double.isFinite(x)) {
                continue;
            }
            Evaluation e = d.evaluate(baseline.forMetric(d.metric()), x);
            if (e.anomalous()) {
                Anomaly a =
                        Anomaly.of(d.metric(), x, e, r.eventTimeMs, nowMs)
                                .withDimensions(
                                        r.service,
                                        r.model,
                                        r.provider,
                                        r.operation,
                                        r.environment,
                                        r.namespace);
                a.traceId = r.traceId;
                a.spanId = r.spanId;
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(a.assignId());
            }
        }
        baseline.lastEventTimeMs = Math.max(baseline.lastEventTimeMs, r.eventTimeMs);
        return found == null ? List.of() : found;
    }
}
