package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.AnomalyIds;
import io.llmsentinel.functions.anomaly.DetectorFinding;
import io.llmsentinel.functions.model.LlmRequest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges every watched metric of a request against its key's baselines, then lets the values join
 * them. Plain Java: the Flink function only loads and stores the {@link KeyBaseline}.
 */
public final class RequestDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Metric[] watched;
    private final ZScoreDetector[] zscore = new ZScoreDetector[Metric.values().length];

    public RequestDetector(DetectionSettings settings) {
        this.watched = settings.metrics().toArray(new Metric[0]);
        for (Metric m : watched) {
            zscore[m.ordinal()] =
                    new ZScoreDetector(
                            settings.zThreshold(),
                            settings.warmup(),
                            settings.window(),
                            new SpreadFloor(
                                    m.defaultAbsoluteFloor(), settings.relativeSpreadFloor()),
                            Direction.UP,
                            settings.clipAnomalies());
        }
    }

    /** Returns the anomalies found in {@code r} (none, one or several metrics) and learns it. */
    public List<Anomaly> observe(KeyBaseline baseline, LlmRequest r, long nowMs) {
        List<Anomaly> found = null;
        for (Metric m : watched) {
            double x = m.valueOf(r);
            if (!Double.isFinite(x)) {
                continue;
            }
            RollingMoments moments = baseline.forMetric(m);
            ZScoreDetector detector = zscore[m.ordinal()];
            Verdict v = detector.judge(moments, x);
            if (v.fired()) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(anomaly(r, m, x, v, moments, nowMs));
            }
            detector.learn(moments, x, v);
        }
        baseline.lastEventTimeMs = Math.max(baseline.lastEventTimeMs, r.eventTimeMs);
        return found == null ? List.of() : found;
    }

    private static Anomaly anomaly(
            LlmRequest r, Metric m, double x, Verdict v, RollingMoments before, long nowMs) {
        Anomaly a = new Anomaly();
        a.eventTimeMs = r.eventTimeMs;
        a.detectedAtMs = nowMs;
        a.service = r.service;
        a.model = r.model;
        a.provider = r.provider;
        a.operation = r.operation;
        a.environment = r.environment;
        a.namespace = r.namespace;
        a.traceId = r.traceId;
        a.spanId = r.spanId;
        a.metric = m.code();
        a.value = x;
        a.score = v.score();
        String severity = v.severity().label();
        a.severity = severity;
        a.anomalyType = m.anomalyType(v.sign());
        a.detectors =
                new DetectorFinding[] {
                    new DetectorFinding(
                            v.detector(), v.score(), v.statistic(), v.threshold(), severity)
                };
        a.baselineMean = before.mean;
        a.baselineStddev = before.stddev();
        a.baselineSamples = before.count;
        a.anomalyId = AnomalyIds.of(a);
        return a;
    }
}
