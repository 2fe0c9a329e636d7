package io.llmsentinel.functions.detect;

/**
 * A shift of the level that CUSUM found and moved the baseline to ({@link
 * MetricSettings#cusumRelevel()}), remembered while the series stays shifted. Moving the baseline
 * at once is right for a change that lasts (a new model version), but during an incident it made
 * the incident look normal within a few values: the alert resolved while the incident went on, and
 * afterwards the baseline stayed high, so the next incident on the key went unseen. With the level
 * before the shift kept here:
 *
 * <p>Only a large shift is remembered (beyond the Z-Score threshold: an incident rather than a
 * drift, which is simply the new level).
 *
 * <ul>
 *   <li>while values stay at least half the shift (and the Z-Score threshold) beyond the old level,
 *       the metric counts as anomalous for the alert policy's persistence, and every {@link
 *       #REPORT_EVERY_MS} of event time one such value is reported as an anomaly ("still shifted"),
 *       so an alert stays open while the incident lasts;
 *   <li>when {@link #RETURN_VALUES} values in a row are back within half the shift, the series has
 *       returned, and so does the baseline (moved back to the old level at once);
 *   <li>a shift that lasts a whole baseline horizon is the new normal: forgotten.
 * </ul>
 *
 * Five numbers per metric, only while a shift is in force.
 */
public final class LevelShift {
    /** Values in a row back near the old level that end the shift. */
    static final int RETURN_VALUES = 3;

    /** At most one "still shifted" anomaly per this much event time. */
    static final long REPORT_EVERY_MS = 2_000;

    /** The baseline's level before the shift, on the detectors' scale. */
    public double from;

    /** The spread then (at least the floor), for distances in its units. */
    public double sigma;

    /** The shift, in {@link #sigma}s: positive up, negative down. */
    public double size;

    /** Values since the shift, and values in a row back near the old level. */
    public int values;

    public int back;

    /** Event time of the last "still shifted" anomaly reported. */
    public long reportedAtMs;

    LevelShift(double from, double sigma, double size) {
        this.from = from;
        this.sigma = sigma;
        this.size = size;
    }

    public LevelShift() {}

    /** How far {@code y} lies from the old level, in its spread, in the shift's direction. */
    double distance(double y) {
        return Math.signum(size) * (y - from) / sigma;
    }

    int sign() {
        return size >= 0 ? 1 : -1;
    }

    public LevelShift copy() {
        LevelShift c = new LevelShift(from, sigma, size);
        c.values = values;
        c.back = back;
        c.reportedAtMs = reportedAtMs;
        return c;
    }
}
