package io.llmsentinel.functions.detect;

/**
 * A key's daily cycle of one metric: the level by time of day in {@link #BINS} bins (half an hour
 * each, UTC; a time zone only rotates them), read between bin centres by linear interpolation, so
 * the detectors can judge the value minus what is usual at that time of day.
 *
 * <ul>
 *   <li>Each bin is an exponentially weighted mean of the value's deviation from the slow level
 *       {@code level}; a value updates the two bins its time falls between, each by its share, with
 *       weight {@code share / min(n, BIN_HORIZON)} (n: the bin's shares so far).
 *   <li>The profile's mean is tracked ({@code sum}) instead of re-centring 48 numbers per value.
 *   <li>{@link #weight()} is how much of the profile is subtracted: 0 until every bin has seen two
 *       values and while the profile explains less than 20% of the variance around the level
 *       ({@code 1 - residual/total}, both exponentially weighted), rising to 1 at 50%. A key whose
 *       history shows no daily cycle is judged exactly as before.
 * </ul>
 *
 * Cleveland et al. 1990 ("STL: a seasonal-trend decomposition procedure based on loess") split a
 * series the same way, level plus seasonal plus remainder; this is its streaming, O(1) cousin.
 * State: 48 floats, 48 bytes and five numbers, about 270 bytes.
 */
public final class SeasonalProfile {
    public static final int BINS = 48;
    static final int BIN_HORIZON = 50;
    private static final int QUARTERS = 4;
    static final double MIN_STRENGTH = 0.2;
    static final double FULL_STRENGTH = 0.5;
    private static final double DAY_MS = 86_400_000.0;

    /** Deviation of each bin from the level (the profile), not centred: see {@link #sum}. */
    public final float[] bins = new float[BINS];

    /**
     * Values each bin has learned, in quarters of a value (a value between two bin centres counts
     * towards both by its share), capped at {@link #BIN_HORIZON} values, so an unsigned byte holds
     * it.
     */
    public final byte[] counts = new byte[BINS];

    public double sum;
    public double level;
    public double total;
    public double residual;
    public long count;

    /** What the profile expects at {@code eventTimeMs}, as a deviation from the level. */
    public double expected(long eventTimeMs) {
        double x = position(eventTimeMs);
        int i = (int) Math.floor(x);
        double f = x - i;
        int a = Math.floorMod(i, BINS);
        int b = (a + 1) % BINS;
        return (1 - f) * bins[a] + f * bins[b] - sum / BINS;
    }

    /** How much of the profile to subtract: 0 (no daily cycle yet) to 1. */
    public double weight() {
        if (count < 2L * BINS || total <= 0) {
            return 0;
        }
        for (byte c : counts) {
            if ((c & 0xff) < 2 * QUARTERS) {
                return 0;
            }
        }
        double strength = 1 - residual / total;
        return Math.max(0, Math.min(1, (strength - MIN_STRENGTH) / (FULL_STRENGTH - MIN_STRENGTH)));
    }

    /** Learns {@code y} at {@code eventTimeMs}; {@code horizon} is the baseline's, in values. */
    public void learn(long eventTimeMs, double y, int horizon) {
        count++;
        if (count == 1) {
            level = y;
        }
        double alpha = Math.max(1.0 / count, 1.0 / horizon);
        double d = y - level;
        double e = expected(eventTimeMs);
        total += alpha * (d * d - total);
        residual += alpha * ((d - e) * (d - e) - residual);
        level += alpha * (count > BINS ? d - e : d);

        double x = position(eventTimeMs);
        int i = (int) Math.floor(x);
        double f = x - i;
        learnBin(Math.floorMod(i, BINS), 1 - f, d);
        learnBin(Math.floorMod(i + 1, BINS), f, d);
    }

    private void learnBin(int bin, double share, double d) {
        if (share <= 0) {
            return;
        }
        int quarters =
                Math.min(
                        (counts[bin] & 0xff) + (int) Math.round(share * QUARTERS),
                        BIN_HORIZON * QUARTERS);
        counts[bin] = (byte) quarters;
        double n = Math.max((double) quarters / QUARTERS, share);
        double g = share / n;
        float before = bins[bin];
        // The bins are read relative to their mean (sum / BINS): learn on that centred value.
        double centred = before - sum / BINS;
        bins[bin] = (float) (before + g * (d - centred));
        sum += bins[bin] - before;
    }

    /** Position in bins from the first bin's centre: {@code 0.0} at 00:15 UTC. */
    private static double position(long eventTimeMs) {
        double dayFraction = Math.floorMod(eventTimeMs, (long) DAY_MS) / DAY_MS;
        return dayFraction * BINS - 0.5;
    }

    public SeasonalProfile copy() {
        SeasonalProfile c = new SeasonalProfile();
        System.arraycopy(bins, 0, c.bins, 0, BINS);
        System.arraycopy(counts, 0, c.counts, 0, BINS);
        c.sum = sum;
        c.level = level;
        c.total = total;
        c.residual = residual;
        c.count = count;
        return c;
    }
}
