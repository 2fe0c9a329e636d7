package io.llmsentinel.functions.detect;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Set;

/**
 * How one metric is watched: direction, detectors, thresholds, warm-up, baseline horizon, spread
 * floors and the scale the detectors work on. Built from the configuration; immutable.
 *
 * @param logScale judge {@code ln(1 + x/unit)} instead of {@code x}: latencies, token counts and
 *     costs are right-skewed (close to lognormal), and on the log scale a 3-sigma rule means what
 *     it says instead of flagging the ordinary long tail
 * @param unit the metric's smallest meaningful amount (1 ms, 1 token, 1e-6 USD): the offset of the
 *     log scale and the absolute spread floor on the linear scale
 * @param repeatWindow values over which a combined score must beat the strongest recent one to
 *     count in full (see {@link MetricDetector}); 0 turns this off
 * @param seasonal judge the value against its time of day's usual level ({@link SeasonalProfile})
 * @param surpriseRate also judge how often the point detectors fire against how often they usually
 *     do ({@link SurpriseRate}), so more spikes than usual is itself an anomaly
 * @param cusumRelevel when CUSUM fires, move the baseline to the new level at once ({@link
 *     CusumDetector#accumulate}), remembering the old one while the series stays shifted ({@link
 *     LevelShift}: the metric keeps counting as anomalous, and the baseline moves back when the
 *     series returns); off: the sums restart and the baseline follows over its horizon
 */
public record MetricSettings(
        Direction direction,
        Set<DetectorKind> detectors,
        int warmup,
        int window,
        double zThreshold,
        double iqrK,
        double madThreshold,
        double cusumSlack,
        double cusumDecision,
        double relativeFloor,
        boolean logScale,
        double unit,
        boolean clipAnomalies,
        int repeatWindow,
        boolean seasonal,
        boolean surpriseRate,
        boolean cusumRelevel)
        implements Serializable {

    /** Settings whose CUSUM moves the baseline to a new level when it fires. */
    public MetricSettings(
            Direction direction,
            Set<DetectorKind> detectors,
            int warmup,
            int window,
            double zThreshold,
            double iqrK,
            double madThreshold,
            double cusumSlack,
            double cusumDecision,
            double relativeFloor,
            boolean logScale,
            double unit,
            boolean clipAnomalies,
            int repeatWindow,
            boolean seasonal,
            boolean surpriseRate) {
        this(
                direction,
                detectors,
                warmup,
                window,
                zThreshold,
                iqrK,
                madThreshold,
                cusumSlack,
                cusumDecision,
                relativeFloor,
                logScale,
                unit,
                clipAnomalies,
                repeatWindow,
                seasonal,
                surpriseRate,
                true);
    }

    /** Settings without the surprise rate. */
    public MetricSettings(
            Direction direction,
            Set<DetectorKind> detectors,
            int warmup,
            int window,
            double zThreshold,
            double iqrK,
            double madThreshold,
            double cusumSlack,
            double cusumDecision,
            double relativeFloor,
            boolean logScale,
            double unit,
            boolean clipAnomalies,
            int repeatWindow,
            boolean seasonal) {
        this(
                direction,
                detectors,
                warmup,
                window,
                zThreshold,
                iqrK,
                madThreshold,
                cusumSlack,
                cusumDecision,
                relativeFloor,
                logScale,
                unit,
                clipAnomalies,
                repeatWindow,
                seasonal,
                false);
    }

    public MetricSettings {
        detectors =
                detectors.isEmpty()
                        ? EnumSet.noneOf(DetectorKind.class)
                        : EnumSet.copyOf(detectors);
        if (warmup < 4 || window < 2) {
            throw new IllegalArgumentException("warmup must be >= 4 and window >= 2");
        }
        if (!(zThreshold > 0
                && iqrK > 0
                && madThreshold > 0
                && cusumSlack >= 0
                && cusumDecision > 0)) {
            throw new IllegalArgumentException("thresholds must be > 0 (CUSUM slack >= 0)");
        }
        if (repeatWindow < 0) {
            throw new IllegalArgumentException("score repeat window must be >= 0 (0: off)");
        }
        if (!(relativeFloor >= 0) || !(unit > 0)) {
            throw new IllegalArgumentException("floors must be >= 0 and unit > 0");
        }
    }

    /**
     * SPEC defaults for a metric: all detectors, z 3, IQR k 1.5, MAD 3.5, CUSUM k 0.5 / h 5; no
     * daily cycle.
     */
    public static MetricSettings defaults(Direction direction, boolean logScale, double unit) {
        return defaults(direction, logScale, unit, false);
    }

    public static MetricSettings defaults(
            Direction direction, boolean logScale, double unit, boolean seasonal) {
        return new MetricSettings(
                direction,
                EnumSet.allOf(DetectorKind.class),
                30,
                1500,
                3.0,
                1.5,
                3.5,
                0.5,
                5.0,
                0.05,
                logScale,
                unit,
                true,
                600,
                seasonal);
    }

    public boolean runs(DetectorKind kind) {
        return detectors.contains(kind);
    }

    /** Thresholds multiplied by {@code factor} (sensitivity presets: low > 1, high < 1). */
    public MetricSettings scaled(double factor) {
        return new MetricSettings(
                direction,
                detectors,
                warmup,
                window,
                zThreshold * factor,
                iqrK * factor,
                madThreshold * factor,
                cusumSlack,
                cusumDecision * factor,
                relativeFloor,
                logScale,
                unit,
                clipAnomalies,
                repeatWindow,
                seasonal,
                surpriseRate,
                cusumRelevel);
    }

    /**
     * These settings under a runtime rule of the control topic: {@code sensitivity} scales every
     * threshold as the configuration's preset does (low x1.25, high x0.8), {@code
     * zscore.threshold}, {@code iqr.k}, {@code mad.threshold} and {@code cusum.decision} replace
     * theirs. Unknown keys were refused when the command was read.
     */
    public MetricSettings withRule(java.util.Map<String, String> rule) {
        MetricSettings s = this;
        String sensitivity = rule.get("sensitivity");
        if ("low".equals(sensitivity)) {
            s = s.scaled(1.25);
        } else if ("high".equals(sensitivity)) {
            s = s.scaled(0.8);
        }
        return new MetricSettings(
                s.direction,
                s.detectors,
                s.warmup,
                s.window,
                number(rule, "zscore.threshold", s.zThreshold),
                number(rule, "iqr.k", s.iqrK),
                number(rule, "mad.threshold", s.madThreshold),
                s.cusumSlack,
                number(rule, "cusum.decision", s.cusumDecision),
                s.relativeFloor,
                s.logScale,
                s.unit,
                s.clipAnomalies,
                s.repeatWindow,
                s.seasonal,
                s.surpriseRate,
                s.cusumRelevel);
    }

    private static double number(java.util.Map<String, String> rule, String key, double otherwise) {
        String v = rule.get(key);
        return v == null ? otherwise : Double.parseDouble(v);
    }

    /** The value the detectors work on. */
    public double toScale(double x) {
        return logScale ? Math.log1p(Math.max(x, 0) / unit) : x;
    }

    /** Back from the detectors' scale to the metric's unit (exact for quantiles). */
    public double fromScale(double y) {
        return logScale ? Math.expm1(y) * unit : y;
    }

    /**
     * The smallest spread the detectors divide by, on their scale: on the log scale a relative
     * change of {@code relativeFloor} is {@code ln(1 + relativeFloor)}; on the linear scale the
     * larger of the unit and {@code relativeFloor} times the series' level (its mean, or its mean
     * magnitude when it hovers around zero).
     */
    public double spreadFloor(MetricState s) {
        if (logScale) {
            return Math.log1p(relativeFloor);
        }
        return Math.max(unit, relativeFloor * Math.max(Math.abs(s.mean), s.magnitude));
    }

    /**
     * The smallest standard deviation a robust spread (IQR, MAD) may imply: the spread floor, and
     * three quarters of the rolling standard deviation (itself protected from spikes by clipping),
     * so a series of a few repeated values (IQR or MAD zero) does not make every other value look
     * infinitely far.
     */
    public double robustSpreadFloor(MetricState s) {
        return Math.max(spreadFloor(s), 0.75 * s.stddev());
    }
}
