package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.config.DetectionOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import java.util.Random;

/**
 * Series of the shapes users see, generated in code (NAB-like: a value every 5 minutes for two
 * weeks unless said otherwise), and the scores the job's own series settings give them.
 */
final class Shapes {
    private Shapes() {}

    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    /** Monday 2024-04-01 00:00 UTC. */
    static final long START = 1_711_929_600_000L;

    /**
     * The score from which a value counts as flagged in these tests: the threshold NAB's standard
     * profile chooses on the development series (0.64-0.65, docs/detection.md), rounded up.
     */
    static final double FLAGGED = 0.65;

    /** The settings the backtest gives a series (DetectionOptions.seriesSettings, defaults). */
    static MetricSettings series() {
        return DetectionOptions.seriesSettings(SentinelConfig.defaults(), Direction.BOTH);
    }

    /** A series: values at times. */
    record Series(long[] times, double[] values) {
        int size() {
            return values.length;
        }

        /** Row of the first value at or after {@code t}. */
        int rowAt(long t) {
            for (int i = 0; i < times.length; i++) {
                if (times[i] >= t) {
                    return i;
                }
            }
            return times.length;
        }

        Series map(java.util.function.DoubleUnaryOperator f) {
            double[] v = values.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = f.applyAsDouble(v[i]);
            }
            return new Series(times, v);
        }

        Series shiftedInTime(long deltaMs) {
            long[] t = times.clone();
            for (int i = 0; i < t.length; i++) {
                t[i] += deltaMs;
            }
            return new Series(t, values);
        }
    }

    interface Shape {
        double at(long sinceStartMs, Random rnd);
    }

    static Series generate(long start, long stepMs, long lengthMs, Shape shape, long seed) {
        Random rnd = new Random(seed);
        int n = (int) (lengthMs / stepMs);
        long[] t = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * stepMs;
            v[i] = shape.at(i * stepMs, rnd);
        }
        return new Series(t, v);
    }

    /** Two weeks, every 5 minutes, from {@link #START}. */
    static Series fortnight(Shape shape, long seed) {
        return generate(START, 5 * MINUTE, 14 * DAY, shape, seed);
    }

    /** Hours since midnight of the series' own day (the shape follows the series' clock). */
    static double hourOfDay(long sinceStartMs) {
        return (sinceStartMs % DAY) / (double) HOUR;
    }

    /** A batch job's load: 20 at night, 80 from 09:00 to 18:00 sharp, noise sd 1. */
    static Shape squareWave(double dayLevel) {
        return (t, rnd) -> {
            double h = hourOfDay(t);
            return (h >= 9 && h < 18 ? dayLevel : 20) + rnd.nextGaussian();
        };
    }

    /** A smooth daily cycle: level 50, amplitude 10, noise sd 1. */
    static Shape smoothCycle() {
        return (t, rnd) -> 50 + 10 * Math.sin(hourOfDay(t) / 24 * 2 * Math.PI) + rnd.nextGaussian();
    }

    /** Poisson counts of mean {@code lambda} (Knuth's method; lambda is small here). */
    static int poisson(double lambda, Random rnd) {
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** Scores of a series through one fresh key's detector. */
    static double[] scores(Series s, MetricSettings settings) {
        MetricDetector d = new MetricDetector(Metric.REQUEST_RATE, settings);
        MetricState state = new MetricState();
        double[] out = new double[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.evaluate(state, s.values()[i], s.times()[i], null).score();
        }
        return out;
    }

    /** Rows in [from, to) scoring at least {@link #FLAGGED}. */
    static int flagged(double[] scores, int from, int to) {
        int n = 0;
        for (int i = from; i < Math.min(to, scores.length); i++) {
            if (scores[i] >= FLAGGED) {
                n++;
            }
        }
        return n;
    }

    /** First row in [from, to) scoring at least {@link #FLAGGED}, or -1. */
    static int firstFlagged(double[] scores, int from, int to) {
        for (int i = from; i < Math.min(to, scores.length); i++) {
            if (scores[i] >= FLAGGED) {
                return i;
            }
        }
        return -1;
    }

    static double peak(double[] scores, int from, int to) {
        double m = 0;
        for (int i = from; i < Math.min(to, scores.length); i++) {
            m = Math.max(m, scores[i]);
        }
        return m;
    }
}
