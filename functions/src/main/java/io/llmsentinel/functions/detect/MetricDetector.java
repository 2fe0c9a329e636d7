package io.llmsentinel.functions.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the configured detectors on one metric: every detector judges the value against the state
 * before the value joins it, none short-circuits another, and the value is learned after. A value
 * that a point detector (Z-Score, IQR, MAD) found anomalous joins the rolling moments clipped to
 * twice the Z-Score threshold, so a spike cannot drag the baseline while a lasting shift is still
 * learned; the quantiles move by one bounded step per value whatever the value. For a metric
 * watched with a daily cycle, the detectors judge the value minus its time of day's usual level
 * ({@link SeasonalProfile}).
 *
 * <p>Decisions are the detectors' own, at their thresholds. The combined score ranks values across
 * keys whose tails differ, as a rarity measured against the key's own history:
 *
 * <ol>
 *   <li>the point ratio r (largest point statistic over its threshold) is read against a Pareto
 *       tail fitted to this key's rolling 99th and 99.9th percentiles of r: {@code decades = 2 +
 *       alpha * log10(r / q99)} with {@code alpha = ln 10 / ln(q999 / q99)}, an estimate of {@code
 *       -log10 P(R >= r)} (the peaks-over-threshold view of Pickands 1975 and Siffer et al. 2017,
 *       "Anomaly detection in streams with extreme value theory", fitted from two quantiles instead
 *       of the excesses); a heavy-tailed key needs a larger excursion for the same score;
 *   <li>CUSUM's ratio (sum over decision interval) counts {@link #CUSUM_DECADES} decades at its
 *       decision interval;
 *   <li>the larger maps to [0, 1) as {@code decades / (decades + 3)}: 0.5 for a one-in-a-thousand
 *       value of this key;
 *   <li>a score that does not beat the largest of the last {@code repeatWindow} values (the maxima
 *       of two half windows: two numbers, not a buffer) is halved, so an incident scores in full
 *       when it starts or gets worse, not on every value while it lasts.
 * </ol>
 *
 * How the settings were chosen, and what they score, is in docs/detection.md.
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

    /**
     * Judges {@code x} (in the metric's unit) at time 0, then learns it; for metrics without a
     * daily cycle, the time does not matter.
     */
    public Evaluation evaluate(MetricState state, double x) {
        return evaluate(state, x, 0, null);
    }

    /**
     * Judges {@code x} (in the metric's unit) at {@code eventTimeMs}, then learns it; also writes
     * each detector's score into {@code scoresOut} (indexed by {@link DetectorKind#ordinal()}) when
     * it is not null: for backtests. NaN and infinities are ignored.
     */
    public Evaluation evaluate(MetricState state, double x, long eventTimeMs, double[] scoresOut) {
        if (!Double.isFinite(x)) {
            return Evaluation.NOT_JUDGED;
        }
        double raw = settings.toScale(x);
        if (settings.seasonal() && state.season == null) {
            state.season = new SeasonalProfile();
        }
        double seasonalOffset = seasonalOffset(state, eventTimeMs);
        double y = raw - seasonalOffset;
        double pointRatio = 0;
        double cusumRatio = 0;
        boolean pointJudged = false;
        boolean cusumJudged = false;
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
                cusumJudged = true;
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
        double surpriseDecades = 0;
        if (settings.surpriseRate() && pointJudged) {
            if (state.surprise == null) {
                state.surprise = new SurpriseRate();
            }
            boolean surprise = fired != null;
            surpriseDecades = state.surprise.judge(surprise, settings.window());
            state.surprise.learn(surprise, settings.window());
        }
        // Nothing is judged during warm-up: no score, and the repeat window has not started.
        double score =
                pointJudged || cusumJudged
                        ? combinedScore(state, pointRatio, cusumRatio, pointJudged, surpriseDecades)
                        : 0;
        Verdict stillShifted = fired == null ? stillShifted(state, y, eventTimeMs) : null;
        boolean shifted = stillShifted != null;
        if (stillShifted != null && stillShifted.detector() == null) {
            stillShifted = null; // shifted, but reported a moment ago
        }
        state.recentVerdicts = (state.recentVerdicts << 1) | (fired == null && !shifted ? 0 : 1);
        Evaluation result =
                fired != null
                        ? anomaly(state, score, fired, pointAnomaly, seasonalOffset)
                        : stillShifted != null
                                ? shiftAnomaly(state, score, stillShifted, seasonalOffset)
                                : Evaluation.normal(score);

        if (settings.runs(DetectorKind.CUSUM) && CusumDetector.INSTANCE.ready(state, settings)) {
            double before = state.mean;
            double moved = CusumDetector.accumulate(state, y, settings, cusumFired);
            if (moved != 0) {
                rememberShift(state, before, moved);
            }
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
        if (state.season != null) {
            // The profile learns the value as it came, less what clipping took off a spike.
            state.season.learn(eventTimeMs, raw - (y - momentsValue), settings.window());
        }
        return result;
    }

    /**
     * For a value no detector flagged while a shift is remembered ({@link LevelShift}): a verdict
     * if the series is still far from the level before the shift (with a null detector when one was
     * reported a moment ago), null otherwise; moves the baseline back when the series has returned,
     * forgets the shift when it has lasted a horizon.
     */
    private Verdict stillShifted(MetricState s, double y, long eventTimeMs) {
        LevelShift sh = s.shift;
        if (sh == null) {
            return null;
        }
        sh.values++;
        sh.recent += LevelShift.RECENT_WEIGHT * (y - sh.recent);
        double d = sh.distance();
        if (sh.values == LevelShift.CONFIRM_VALUES && d >= Math.abs(sh.size) / 2) {
            // The values since have confirmed a shift: its size is theirs, not CUSUM's estimate
            // from a few (clipped) values.
            sh.size = sh.sign() * d;
        }
        if (d < Math.abs(sh.size) / 2) {
            // Back (or never gone: a burst of outliers): so is the baseline, at once.
            s.shiftLevel(sh.from - s.mean);
            s.shift = null;
            return null;
        }
        if (sh.values >= settings.window()) {
            s.shift = null; // it lasted a whole horizon: the new normal
            return null;
        }
        if (sh.values < LevelShift.CONFIRM_VALUES || !large(d, sh.sigma)) {
            return null;
        }
        if (eventTimeMs - sh.reportedAtMs < LevelShift.REPORT_EVERY_MS) {
            return new Verdict(null, true, 0, d / sh.sigma, settings.zThreshold(), sh.sign());
        }
        sh.reportedAtMs = eventTimeMs;
        Verdict v = Verdict.of(DetectorKind.CUSUM, d / sh.sigma, settings.zThreshold(), sh.sign());
        return settings.logScale() ? v.withSeverity(Severity.fromFactor(Math.exp(d))) : v;
    }

    /** Whether a shift of {@code d} (detectors' scale) is an incident rather than a drift. */
    private boolean large(double d, double sigma) {
        return settings.logScale() ? d >= LARGE_LOG_SHIFT : d >= settings.zThreshold() * sigma;
    }

    /** On a log scale, a level twice (or half) the old one is a large shift. */
    static final double LARGE_LOG_SHIFT = Math.log(2);

    /** CUSUM moved the level by {@code moved} from {@code before}: keep where it came from. */
    private void rememberShift(MetricState s, double before, double moved) {
        double sigma = Math.max(s.stddev(), settings.spreadFloor(s));
        LevelShift sh = s.shift;
        if (sh != null && Math.signum(moved) == Math.signum(sh.size)) {
            // Further the same way: still from the old level.
            double size = s.mean - sh.from;
            if (Math.abs(size) > Math.abs(sh.size)) {
                sh.size = size;
            }
            sh.recent = Math.max(sh.sign() * sh.recent, sh.sign() * s.mean) * sh.sign();
            return;
        }
        // A new shift; one back the other way ends the old one (the level is where CUSUM put it).
        s.shift = sh == null ? new LevelShift(before, sigma, moved, s.mean) : null;
    }

    /** The anomaly for a value still shifted from the level before a shift. */
    private Evaluation shiftAnomaly(MetricState s, double score, Verdict v, double seasonalOffset) {
        Baseline b = baseline(s, seasonalOffset);
        return new Evaluation(
                score,
                new Verdict[] {v},
                v.severity(),
                metric.anomalyType(v.sign()),
                b.mean(),
                b.stddev(),
                b.median(),
                b.mad(),
                b.q1(),
                b.q3(),
                s.count,
                s.recentVerdicts);
    }

    /**
     * An isolated point anomaly joins the rolling moments clipped to this many Z-Score thresholds
     * from the mean (6 sigma by default): it cannot drag the baseline, yet a large outlier still
     * widens the spread a little, which keeps the next ordinary burst of noise from scoring high.
     */
    static final double CLIP_THRESHOLDS = 2.0;

    /** Values over which the tail percentiles settle (the step's horizon). */
    static final int TAIL_HORIZON = 400;

    /** CUSUM at its decision interval counts as this many decades of rarity. */
    static final double CUSUM_DECADES = 4.0;

    /** The tail percentiles' floor, in multiples of the threshold. */
    static final double TAIL_FLOOR = 0.05;

    /** The steepest tail the fit may claim (alpha), so a key with a flat tail stays finite. */
    static final double MAX_ALPHA = 20.0;

    private double combinedScore(
            MetricState s,
            double pointRatio,
            double cusumRatio,
            boolean pointJudged,
            double surpriseDecades) {
        double decades = CUSUM_DECADES * cusumRatio;
        if (pointJudged) {
            double q99 = Math.max(s.pointQ99, TAIL_FLOOR);
            double q999 = Math.max(s.pointQ999, q99 * 1.0001);
            double alpha = Math.min(MAX_ALPHA, Math.log(10) / Math.log(q999 / q99));
            decades = Math.max(decades, 2 + alpha * Math.log10(Math.max(pointRatio, 1e-9) / q99));
            long n = Math.max(1, s.count - settings.warmup() + 1);
            double g = Math.max(1.0 / n, 1.0 / TAIL_HORIZON);
            s.pointQ99 = quantileStep(q99, pointRatio, 0.99, g);
            s.pointQ999 = quantileStep(Math.max(s.pointQ999, TAIL_FLOOR), pointRatio, 0.999, g);
        }
        if (!(decades > 0)) {
            decades = 0; // also NaN
        }
        double score = Double.isInfinite(decades) ? 1 : decades / (decades + 3);
        int window = settings.repeatWindow();
        if (window == 0) {
            return Math.max(score, surpriseDecades / (surpriseDecades + 3));
        }
        boolean repeat = score <= Math.max(s.scorePeak, s.scorePeakPrevious);
        s.scorePeak = Math.max(s.scorePeak, score);
        if (++s.scorePeakCount >= Math.max(1, window / 2)) {
            s.scorePeakPrevious = s.scorePeak;
            s.scorePeak = 0;
            s.scorePeakCount = 0;
        }
        // The surprise rate is evidence gathered over many values and reported once: it is not a
        // repeat of the values that built it.
        double surprise = surpriseDecades / (surpriseDecades + 3);
        return Math.max(repeat ? score / 2 : score, surprise);
    }

    /**
     * One step of the stochastic approximation of the {@code p} quantile {@code q} (Robbins and
     * Monro 1951); the step is proportional to the quantile, so it settles whatever the scale.
     */
    private static double quantileStep(double q, double x, double p, double g) {
        return Math.max(TAIL_FLOOR, q + 2.5 * q * g * (x < q ? p - 1 : p));
    }

    private Evaluation anomaly(
            MetricState s,
            double score,
            List<Verdict> fired,
            boolean pointAnomaly,
            double seasonalOffset) {
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

        Baseline b = baseline(s, seasonalOffset);
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
                s.count,
                s.recentVerdicts);
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

    /** What the daily cycle adds at {@code eventTimeMs}, on the detectors' scale (0 if none). */
    public double seasonalOffset(MetricState s, long eventTimeMs) {
        return s.season == null ? 0 : s.season.weight() * s.season.expected(eventTimeMs);
    }

    /** The state's baseline in the metric's unit: for anomalies, and for the live view. */
    public Baseline baseline(MetricState s) {
        return baseline(s, 0);
    }

    /**
     * The baseline at a time of day whose usual level is {@code seasonalOffset} above the
     * deseasonalized one (on the detectors' scale), in the metric's unit.
     */
    public Baseline baseline(MetricState s, double seasonalOffset) {
        double mean;
        double stddev;
        if (settings.logScale()) {
            // Moments of ln(1 + x/u) back in the metric's unit, as for a lognormal variable.
            double m = s.mean + seasonalOffset;
            double v = s.variance;
            mean = settings.unit() * (Math.exp(m + v / 2) - 1);
            stddev =
                    settings.unit()
                            * Math.sqrt(Math.max(0, (Math.exp(v) - 1) * Math.exp(2 * m + v)));
        } else {
            mean = s.mean + seasonalOffset;
            stddev = s.stddev();
        }
        boolean q = s.quantilesReady();
        double o = seasonalOffset;
        double median = q ? settings.fromScale(s.median + o) : Double.NaN;
        return new Baseline(
                mean,
                stddev,
                median,
                q ? settings.fromScale(s.median + o + s.mad) - median : Double.NaN,
                q ? settings.fromScale(s.q1 + o) : Double.NaN,
                q ? settings.fromScale(s.q3 + o) : Double.NaN,
                s.count);
    }
}
