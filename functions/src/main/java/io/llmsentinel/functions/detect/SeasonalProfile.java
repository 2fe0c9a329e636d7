package io.llmsentinel.functions.detect;

/**
 * A key's daily cycle of one metric: the level by time of day in bins as wide as the series'
 * sampling interval (at least {@link #MIN_BIN_MS}, so at most {@link #MAX_BINS} bins; UTC, a time
 * zone only rotates them), read as steps, so the detectors can judge the value minus what is usual
 * at that time of day. A batch job that starts at 09:00 sharp is expected to start at 09:00 sharp:
 * a bin does not blur its edge into its neighbours (48 half-hour bins read between their centres
 * made every regular edge of a square daily wave a surprise).
 *
 * <ul>
 *   <li>The bin width is fixed by the first gap between two values (5 minutes of one-minute
 *       windows, 30 minutes of half-hourly data; at most an hour), so a series sampled every 5 or
 *       every 10 minutes learns the same curve at its own resolution.
 *   <li>Each bin is an exponentially weighted mean of the value's deviation from the slow level
 *       {@code level}, with weight {@code 1 / min(n, BIN_HORIZON)} (n: the bin's values so far);
 *       its mean is tracked ({@code sum}) instead of re-centring every bin per value.
 *   <li>{@link #weight()} is how much of the profile is subtracted: 0 until most bins have seen two
 *       values and while the profile explains less than 20% of the variance around the level
 *       ({@code 1 - residual/total}, both exponentially weighted), rising to 1 at 50%. A key whose
 *       history shows no daily cycle is judged exactly as without it.
 * </ul>
 *
 * Cleveland et al. 1990 ("STL: a seasonal-trend decomposition procedure based on loess") split a
 * series the same way, level plus seasonal plus remainder; this is its streaming, O(1) cousin, and
 * a seasonal-naive forecast averaged over days. State: 5 bytes a bin (288 bins of one-minute
 * windows, about 1.5 KB; 48 of half-hourly data) and seven numbers.
 */
public final class SeasonalProfile {
    public static final int MAX_BINS = 288;
    public static final long DAY_MS = 86_400_000L;
    static final long MIN_BIN_MS = DAY_MS / MAX_BINS;
    static final long MAX_BIN_MS = 3_600_000L;
    static final int BIN_HORIZON = 50;
    static final double MIN_STRENGTH = 0.2;
    static final double FULL_STRENGTH = 0.5;

    /** Share of bins that must have seen two values before the profile counts. */
    static final double FILLED_SHARE = 0.9;

    /** Deviation of each bin from the level (not centred: see {@link #sum}); null until sized. */
    public float[] bins;

    /** Values each bin has learned, capped at {@link #BIN_HORIZON} (an unsigned byte). */
    public byte[] counts;

    /**
     * Time of the first value: the bins are sized from the first gap after it, and learn only once
     * a whole day has passed since it, when {@code level} is the mean of a whole cycle (a level
     * that is still the mean of a partial day would bias every bin learned on the first).
     */
    public long firstTimeMs;

    public double sum;
    public double level;
    public double total;
    public double residual;
    public long count;

    /** A profile whose bins are already sized (restored or migrated state). */
    public static SeasonalProfile ofBins(int binCount) {
        if (binCount < 1 || binCount > MAX_BINS || DAY_MS % binCount != 0) {
            throw new IllegalArgumentException("bins must divide a day, at most " + MAX_BINS);
        }
        SeasonalProfile p = new SeasonalProfile();
        p.bins = new float[binCount];
        p.counts = new byte[binCount];
        return p;
    }

    public int binCount() {
        return bins == null ? 0 : bins.length;
    }

    /**
     * What the profile expects at {@code eventTimeMs}, as a deviation from the level: its bin, read
     * as a step (a bin never seen, a gap in the data, reads as its nearest neighbour that was).
     * Averaging a bin with its neighbours where the cycle looks smooth cost 5 NAB points
     * (half-hourly series have real structure an hour apart), and wider bins blur edges: see
     * docs/detection.md.
     */
    public double expected(long eventTimeMs) {
        if (bins == null) {
            return 0;
        }
        int own = seen(bin(eventTimeMs));
        return own < 0 ? 0 : bins[own] - sum / bins.length;
    }

    /** The bin itself if it has learned a value, else its nearest neighbour that has; -1: none. */
    private int seen(int i) {
        for (int d = 0; d <= bins.length / 2; d++) {
            int a = Math.floorMod(i - d, bins.length);
            if (counts[a] != 0) {
                return a;
            }
            int b = Math.floorMod(i + d, bins.length);
            if (counts[b] != 0) {
                return b;
            }
        }
        return -1;
    }

    /** How much of the profile to subtract: 0 (no daily cycle yet) to 1. */
    public double weight() {
        if (bins == null || count < 2L * bins.length || total <= 0) {
            return 0;
        }
        int filled = 0;
        for (byte c : counts) {
            if ((c & 0xff) >= 2) {
                filled++;
            }
        }
        if (filled < FILLED_SHARE * bins.length) {
            return 0;
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
        if (bins == null) {
            if (count == 1) {
                firstTimeMs = eventTimeMs;
            } else if (eventTimeMs != firstTimeMs) {
                size(Math.abs(eventTimeMs - firstTimeMs));
            }
        }
        double alpha = Math.max(1.0 / count, 1.0 / horizon);
        double d = y - level;
        double e = expected(eventTimeMs);
        total += alpha * (d * d - total);
        residual += alpha * ((d - e) * (d - e) - residual);
        level += alpha * (d - e);
        if (bins != null && eventTimeMs - firstTimeMs >= DAY_MS) {
            learnBin(bin(eventTimeMs), d);
        }
    }

    /** Bins as wide as the sampling interval, between 5 minutes and an hour, dividing a day. */
    private void size(long gapMs) {
        long width = Math.max(MIN_BIN_MS, Math.min(MAX_BIN_MS, gapMs));
        int n = (int) Math.max(1, Math.round((double) DAY_MS / width));
        while (DAY_MS % n != 0) {
            n++;
        }
        bins = new float[n];
        counts = new byte[n];
    }

    private void learnBin(int bin, double d) {
        int n = Math.min((counts[bin] & 0xff) + 1, BIN_HORIZON);
        counts[bin] = (byte) n;
        float before = bins[bin];
        // The bins are read relative to their mean (sum / bins): learn on that centred value.
        double centred = before - sum / bins.length;
        bins[bin] = (float) (before + (d - centred) / n);
        sum += bins[bin] - before;
    }

    private int bin(long eventTimeMs) {
        return (int) (Math.floorMod(eventTimeMs, DAY_MS) / (DAY_MS / bins.length));
    }

    public SeasonalProfile copy() {
        SeasonalProfile c = new SeasonalProfile();
        c.bins = bins == null ? null : bins.clone();
        c.counts = counts == null ? null : counts.clone();
        c.firstTimeMs = firstTimeMs;
        c.sum = sum;
        c.level = level;
        c.total = total;
        c.residual = residual;
        c.count = count;
        return c;
    }
}
