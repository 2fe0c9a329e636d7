package io.llmsentinel.functions.detect;

/**
 * A shift of the level that CUSUM found and moved the baseline to ({@link
 * MetricSettings#cusumRelevel()}), remembered while it lasts. Moving the baseline at once is right
 * for a change that lasts (a new model version), but during an incident it made the incident look
 * normal within a few values (the alert resolved while the incident went on) and afterwards the
 * baseline stayed where the incident had taken it (the next incident went unseen). And on a
 * heavy-tailed series a few extreme values in a row can fire CUSUM without any change of the level.
 * So the level before the shift is kept, with a short average of the values since:
 *
 * <ul>
 *   <li>when that average is back within half the shift of the old level, the series has returned
 *       (or never left: a burst of outliers), and so does the baseline, at once;
 *   <li>once {@link #CONFIRM_VALUES} values have confirmed it, while the average stays far from the
 *       old level (on a log scale at least 1.5x, on a linear one the Z-Score threshold in standard
 *       deviations), the metric counts as anomalous for the alert policy's persistence, and every
 *       {@link #REPORT_EVERY_MS} of event time one value is reported as an anomaly, its severity
 *       the size of the shift, so an alert stays open while the incident lasts;
 *   <li>a shift that lasts a whole baseline horizon is the new normal: forgotten.
 * </ul>
 *
 * Six numbers per metric, only while a shift is remembered.
 */
public final class LevelShift {
    /** At most one "still shifted" anomaly per this much event time. */
    static final long REPORT_EVERY_MS = 2_000;

    /**
     * Values after the shift that confirm it (their short average still at least half-way to the
     * new level) before it counts: a few extreme values in a row fire CUSUM on a heavy-tailed
     * series without any change of the level.
     */
    static final int CONFIRM_VALUES = 10;

    /** Weight of a new value in the short average since the shift (about the last 10 values). */
    static final double RECENT_WEIGHT = 0.2;

    /** The baseline's level before the shift, on the detectors' scale. */
    public double from;

    /** The spread then (at least the floor), for distances in its units. */
    public double sigma;

    /** The largest shift so far, on the detectors' scale: positive up, negative down. */
    public double size;

    /** A short average of the values since the shift. */
    public double recent;

    /** Values since the shift. */
    public int values;

    /** Event time of the last "still shifted" anomaly reported. */
    public long reportedAtMs;

    LevelShift(double from, double sigma, double size, double recent) {
        this.from = from;
        this.sigma = sigma;
        this.size = size;
        this.recent = recent;
    }

    public LevelShift() {}

    int sign() {
        return size >= 0 ? 1 : -1;
    }

    /** How far the recent values lie from the old level, in the shift's direction. */
    double distance() {
        return sign() * (recent - from);
    }

    public LevelShift copy() {
        LevelShift c = new LevelShift(from, sigma, size, recent);
        c.values = values;
        c.reportedAtMs = reportedAtMs;
        return c;
    }
}
