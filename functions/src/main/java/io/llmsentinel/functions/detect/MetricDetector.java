package io.llmsentinel.functions.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the configured detectors on one metric: every detector judges the value against the state
 * before the value joins it, none short-circuits another, and the value is learned after. A value
 * that a point detector (Z-Score, IQR, MAD) found anomalous joins the rolling moments clipped to
 * the Z-Score threshold, so a spike cannot drag the baseline while a lasting shift is still
 * learned; the quantiles move by one bounded step per value whatever the value.
 */
public final class MetricDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Metric metric;
    private final MetricSettings settings;
    private transient Detector[] detectors;

    public MetricDetector(Metric metric, MetricSettings settings) {
        this.metric = metric;
        this.settings = settings;
    }

    public Metric metric() {
        return metric;
    }

    public MetricSettings settings() {
        return settings;
    }

    private Detector[] detectors() {
        if (detectors == null) {
            List<Detector> d = new ArrayList<>(4);
            if (settings.runs(DetectorKind.ZSCORE)) {
                d.add(ZScoreDetector.INSTANCE);
            }
            if (settings.runs(DetectorKind.IQR)) {
                d.add(IqrDetector.INSTANCE);
            }
            if (settings.runs(DetectorKind.MAD)) {
                d.add(MadDetector.INSTANCE);
            }
            if (settings.runs(DetectorKind.CUSUM)) {
                d.add(CusumDetector.INSTANCE);
            }
            detectors = d.toArray(new Detector[0]);
        }
        return detectors;
    }

    /** Judges {@code x} (in the metric's unit), then learns it. NaN and infinities are ignored. */
    public Evaluation evaluate(MetricState state, double x) {
        return evaluate(state, x, null);
    }

    /**
     * As {@link #evaluate(MetricState, double)}, also writing each detector's score into {@code
     * scoresOut} (indexed by {@link DetectorKind#ordinal()}) when it is not null: for backtests.
     */
    public Evaluation evaluate(MetricState state, double x, double[] scoresOut) {
        if (!Double.isFinite(x)) {
            return Evaluation.NOT_JUDGED;
        }
        double y = settings.toScale(x);
        double score = 0;
        boolean pointAnomaly = false;
        boolean cusumFired = false;
        List<Verdict> fired = null;
        for (Detector d : detectors()) {
            if (!d.ready(state, settings)) {
                continue;
            }
            Verdict v = d.judge(state, y, settings);
            score = Math.max(score, v.score());
            if (scoresOut != null) {
                scoresOut[v.detector().ordinal()] = v.score();
            }
            if (v.fired()) {
                if (fired == null) {
                    fired = new ArrayList<>(4);
                }
                fired.add(v);
                if (v.detector() == DetectorKind.CUSUM) {
                    cusumFired = true;
                } else {
                    pointAnomaly = true;
                }
            }
        }
        Evaluation result =
                fired == null
                        ? Evaluation.normal(score)
                        : anomaly(state, score, fired, pointAnomaly);

        if (settings.runs(DetectorKind.CUSUM) && CusumDetector.INSTANCE.ready(state, settings)) {
            CusumDetector.accumulate(state, y, settings, cusumFired);
        }
        double momentsValue = y;
        // An isolated anomaly is clipped; one that follows another is a change in the series,
        // not a spike, and is learned as it is.
        boolean isolated = !state.lastAnomalous;
        state.lastAnomalous = pointAnomaly;
        if (pointAnomaly && isolated && settings.clipAnomalies() && state.count > 0) {
            double bound =
                    settings.zThreshold() * Math.max(state.stddev(), settings.spreadFloor(state));
            momentsValue = Math.max(state.mean - bound, Math.min(state.mean + bound, y));
        }
        state.learn(y, momentsValue, settings);
        return result;
    }

    private Evaluation anomaly(
            MetricState s, double score, List<Verdict> fired, boolean pointAnomaly) {
        Verdict strongest = fired.get(0);
        for (Verdict v : fired) {
            if (v.statistic() / v.threshold() > strongest.statistic() / strongest.threshold()) {
                strongest = v;
            }
        }
        Verdict typeFrom = strongest;
        if (pointAnomaly && typeFrom.detector() == DetectorKind.CUSUM) {
            for (Verdict v : fired) {
                if (v.detector() != DetectorKind.CUSUM) {
                    typeFrom = v;
                    break;
                }
            }
        }
        String type = pointAnomaly ? metric.anomalyType(typeFrom.sign()) : "level_shift";

        double mean;
        double stddev;
        if (settings.logScale()) {
            // Moments of ln(1 + x/u) back in the metric's unit, as for a lognormal variable.
            double m = s.mean;
            double v = s.variance;
            mean = settings.unit() * (Math.exp(m + v / 2) - 1);
            stddev =
                    settings.unit()
                            * Math.sqrt(Math.max(0, (Math.exp(v) - 1) * Math.exp(2 * m + v)));
        } else {
            mean = s.mean;
            stddev = s.stddev();
        }
        boolean q = s.quantilesReady();
        double median = q ? settings.fromScale(s.median) : Double.NaN;
        return new Evaluation(
                score,
                fired.toArray(new Verdict[0]),
                strongest.severity(),
                type,
                mean,
                stddev,
                median,
                q ? settings.fromScale(s.median + s.mad) - median : Double.NaN,
                q ? settings.fromScale(s.q1) : Double.NaN,
                q ? settings.fromScale(s.q3) : Double.NaN,
                s.count);
    }
}
