package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.BaselineSnapshot;
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
        return observe(baseline, r, nowMs, 0, null);
    }

    /**
     * As {@link #observe(KeyBaseline, LlmRequest, long)}; also adds to {@code snapshots} the
     * baseline of each metric that has just learned its {@code snapshotEvery}-th, 2x-th... value
     * (none when {@code snapshotEvery} is 0).
     */
    public List<Anomaly> observe(
            KeyBaseline baseline,
            LlmRequest r,
            long nowMs,
            int snapshotEvery,
            List<BaselineSnapshot> snapshots) {
        List<Anomaly> found = null;
        for (MetricDetector d : detectors) {
            double x = d.metric().valueOf(r);
            if (!Double.isFinite(x)) {
                continue;
            }
            MetricState state = baseline.forMetric(d.metric());
            Evaluation e = d.evaluate(state, x, r.eventTimeMs, null);
            if (snapshotEvery > 0 && state.count % snapshotEvery == 0) {
                snapshots.add(snapshot(d, state, r, x));
            }
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

    private static BaselineSnapshot snapshot(
            MetricDetector d, MetricState state, LlmRequest r, double x) {
        MetricDetector.Baseline b = d.baseline(state, d.seasonalOffset(state, r.eventTimeMs));
        BaselineSnapshot s = new BaselineSnapshot();
        s.service = r.service;
        s.model = r.model;
        s.provider = r.provider;
        s.operation = r.operation;
        s.environment = r.environment;
        s.namespace = r.namespace;
        s.metric = d.metric().code();
        s.eventTimeMs = r.eventTimeMs;
        s.lastValue = x;
        s.samples = b.samples();
        s.mean = b.mean();
        s.stddev = b.stddev();
        s.median = b.median();
        s.mad = b.mad();
        s.q1 = b.q1();
        s.q3 = b.q3();
        return s;
    }
}
