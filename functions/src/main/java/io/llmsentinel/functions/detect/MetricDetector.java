package io.llmsentinel.functions.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the configured detectors on one metric: every detector judges the value against the state
 * before the value joins it, none short-circuits another, and the value is learned after. A value
 * that a point detector (Z-Score, IQR, MAD) found anomalous joins the rolling moments clipped to
 * twice the Z-Score threshold, so a spike cannot drag the baseline while a lasting shift is still
 * learned; the quantiles move by one bounded step per value whatever the value.
 *
 * <p>Decisions are the detectors' own, at their thresholds. The combined score ranks values across
 * keys and series that differ in how heavy their tails are, and is built in three steps:
 *
 * <ol>
 *   <li>the point ratio (largest point statistic over its threshold) is divided by twice its own
 *       rolling 99.9th percentile for this key ({@link MetricState#pointTail}, at least 0.25), so a
 *       series whose ordinary noise often crosses 3 sigma needs a proportionally larger excursion
 *       for the same score, and a quiet one less (the calibration idea of Numenta's "anomaly
 *       likelihood", Ahmad et al. 2017, on a quantile instead of a Gaussian tail);
 *   <li>the CUSUM ratio (sum over decision interval) is taken as it is, and the larger of the two
 *       is mapped to [0, 1) by {@code r / (1 + r)};
 *   <li>a score that does not beat the largest combined score of the last {@code repeatWindow}
 *       values (tracked as the maxima of two half windows: two numbers, not a buffer) is halved: an
 *       incident is scored in full when it starts or gets worse, not on every value while it lasts,
 *       which is what an alert ranking needs.
 * </ol>
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
        double pointRatio = 0;
        double cusumRatio = 0;
        boolean pointJudged = false;
        boolean pointAnomaly = false;
        boolean cusumFired = false;
        List<Verdict> fired = null;
        for (Detector d : detectors()) {
            if (!d.ready(state, settings)) {
                continue;
            }
            Verdict v = d.judge(state, y, settings);
            double ratio = v.statistic() > 0 ? v.statistic() / v.threshold() : 0;
            if (v.detector() == DetectorKind.CUSUM) {
                cusumRatio = ratio;
            } else {
                pointRatio = Math.max(pointRatio, ratio);
                pointJudged = true;
            }
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
        double score = combinedScore(state, pointRatio, cusumRatio, pointJudged);
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
                    CLIP_THRESHOLDS
                            * settings.zThreshold()
                            * Math.max(state.stddev(), settings.spreadFloor(state));
            momentsValue = Math.max(state.mean - bound, Math.min(state.mean + bound, y));
        }
        state.learn(y, momentsValue, settings);
        return result;
    }

    /** Rank of the tail percentile the point ratio is calibrated against. */
    static final double TAIL_P = 0.999;

    /** The point ratio is measured in multiples of this many times its tail percentile. */
    static final double TAIL_MARGIN = 2.0;

    /**
     * An isolated point anomaly joins the rolling moments clipped to this many Z-Score thresholds
     * from the mean (6 sigma by default): it cannot drag the baseline, yet a large outlier still
     * widens the spread a little, which keeps the next ordinary burst of noise from scoring high.
     */
    static final double CLIP_THRESHOLDS = 2.0;

    /**
     * Values over which the tail percentile settles (the step's horizon): short enough to follow a
     * series whose noise level changes, long enough not to chase single outliers.
     */
    static final int TAIL_HORIZON = 400;

    private double combinedScore(
            MetricState s, double pointRatio, double cusumRatio, boolean pointJudged) {
        double r = cusumRatio;
        if (pointJudged) {
            double tail = Math.max(s.pointTail, 0.25);
            r = Math.max(r, pointRatio / (TAIL_MARGIN * tail));
            // Stochastic approximation of the TAIL_P quantile of the point ratio; the step is
            // proportional to the quantile itself, so it settles whatever the series' scale.
            long n = Math.max(1, s.count - settings.warmup() + 1);
            double step = 2.5 * tail * Math.max(1.0 / n, 1.0 / TAIL_HORIZON);
            s.pointTail = Math.max(0.25, tail + step * (pointRatio < tail ? TAIL_P - 1 : TAIL_P));
        }
        if (Double.isNaN(r)) {
            r = 0;
        }
        double score = Double.isInfinite(r) ? 1 : r / (1 + r);
        int window = settings.repeatWindow();
        if (window == 0) {
            return score;
        }
        boolean repeat = score <= Math.max(s.scorePeak, s.scorePeakPrevious);
        s.scorePeak = Math.max(s.scorePeak, score);
        if (++s.scorePeakCount >= Math.max(1, window / 2)) {
            s.scorePeakPrevious = s.scorePeak;
            s.scorePeak = 0;
            s.scorePeakCount = 0;
        }
        return repeat ? score / 2 : score;
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

        Baseline b = baseline(s);
        return new Evaluation(
                score,
                fired.toArray(new Verdict[0]),
                strongest.severity(),
                type,
                b.mean(),
                b.stddev(),
                b.median(),
                b.mad(),
                b.q1(),
                b.q3(),
                s.count);
    }

    /**
     * A baseline in the metric's own unit (quantiles NaN until seeded; {@code mad} as the distance
     * from the median to the median plus one MAD, which on the log scale is not symmetric).
     */
    public record Baseline(
            double mean,
            double stddev,
            double median,
            double mad,
            double q1,
            double q3,
            long samples) {}

    /** The state's baseline in the metric's unit: for anomalies, and for the live view. */
    public Baseline baseline(MetricState s) {
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
        return new Baseline(
                mean,
                stddev,
                median,
                q ? settings.fromScale(s.median + s.mad) - median : Double.NaN,
                q ? settings.fromScale(s.q1) : Double.NaN,
                q ? settings.fromScale(s.q3) : Double.NaN,
                s.count);
    }
}
