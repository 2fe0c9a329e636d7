package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricDetectorTest {

    private static MetricDetector linear(Direction d) {
        return new MetricDetector(Metric.LATENCY_MS, Fixtures.linear(d));
    }

    private static MetricState warmed(MetricDetector d, Random rnd, int n) {
        MetricState s = new MetricState();
        for (int i = 0; i < n; i++) {
            d.evaluate(s, 100 + 10 * rnd.nextGaussian());
        }
        return s;
    }

    @Test
    void everyDetectorJudgesASpikeAndNoneSilencesAnother() {
        MetricDetector d = linear(Direction.UP);
        MetricState s = warmed(d, new Random(1), 200);

        double q99 = s.pointQ99;
        double q999 = s.pointQ999;
        double[] scores = new double[DetectorKind.values().length];
        Evaluation e = d.evaluate(s, 400, 0, scores);

        assertThat(e.anomalous()).isTrue();
        assertThat(Arrays.stream(e.fired()).map(Verdict::detector))
                .contains(DetectorKind.ZSCORE, DetectorKind.IQR, DetectorKind.MAD);
        // Combined: the largest point ratio read against the key's Pareto tail (decades of
        // rarity from its 99th and 99.9th percentiles), or 4 decades per CUSUM decision interval;
        // then decades / (decades + 3).
        double point = 0;
        for (DetectorKind k : EnumSet.of(DetectorKind.ZSCORE, DetectorKind.IQR, DetectorKind.MAD)) {
            point = Math.max(point, ratio(scores[k.ordinal()]));
        }
        double alpha = Math.min(20, Math.log(10) / Math.log(Math.max(q999, q99 * 1.0001) / q99));
        double decades =
                Math.max(
                        2 + alpha * Math.log10(point / q99),
                        4 * ratio(scores[DetectorKind.CUSUM.ordinal()]));
        assertThat(e.score()).isCloseTo(decades / (decades + 3), within(1e-12));
        assertThat(e.score()).isGreaterThan(0.8);
        assertThat(e.anomalyType()).isEqualTo("latency_spike");
        assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(e.baselineSamples()).isEqualTo(200); // judged before it joined
        assertThat(e.baselineMean()).isCloseTo(100, within(3.0));
        assertThat(e.baselineMedian()).isCloseTo(100, within(4.0));
        assertThat(e.baselineQ3() - e.baselineQ1()).isCloseTo(13.5, within(4.0));
    }

    @Test
    void silentDuringWarmup() {
        MetricDetector d = linear(Direction.UP);
        MetricState s = new MetricState();
        for (double v : new double[] {100, 101, 99}) {
            d.evaluate(s, v);
        }
        assertThat(d.evaluate(s, 1e6).anomalous()).isFalse();
    }

    @Test
    void aSpikeDoesNotDragTheBaseline() {
        MetricDetector d = linear(Direction.UP);
        MetricState s = warmed(d, new Random(2), 300);
        double mean = s.mean;
        double median = s.median;
        double sd = s.stddev();

        d.evaluate(s, 1e6);

        // Clipped to mean + 2 x 3 sd before it joined (weight 1/300): moves the mean < 6 sd / 300.
        assertThat(s.mean - mean).isLessThanOrEqualTo(6 * sd / 300 + 1e-9);
        assertThat(s.mean - mean).isGreaterThan(5 * sd / 300);
        assertThat(Math.abs(s.median - median)).isLessThan(1.0);
    }

    @Test
    void aLastingShiftIsLearnedSoAlarmsStop() {
        MetricSettings m = Fixtures.linear(Direction.UP, EnumSet.allOf(DetectorKind.class), 20, 50);
        MetricDetector d = new MetricDetector(Metric.LATENCY_MS, m);
        Random rnd = new Random(3);
        MetricState s = new MetricState();
        for (int i = 0; i < 200; i++) {
            d.evaluate(s, 100 + rnd.nextGaussian());
        }
        int late = 0;
        for (int i = 0; i < 600; i++) {
            if (d.evaluate(s, 130 + rnd.nextGaussian()).anomalous() && i >= 500) {
                late++;
            }
        }
        // Within 1.5 sd: a CUSUM false alarm near the end may still be fading out.
        assertThat(s.mean).isCloseTo(130, within(1.5));
        assertThat(s.median).isCloseTo(130, within(1.5));
        assertThat(late).isLessThanOrEqualTo(3);
    }

    @Test
    void levelShiftSeenOnlyByCusumIsTypedAsSuch() {
        MetricSettings m = Fixtures.linear(Direction.UP, EnumSet.of(DetectorKind.CUSUM), 10, 1000);
        MetricDetector d = new MetricDetector(Metric.LATENCY_MS, m);
        MetricState s = new MetricState();
        Random rnd = new Random(4);
        for (int i = 0; i < 100; i++) {
            d.evaluate(s, 100 + rnd.nextGaussian());
        }
        Evaluation e = null;
        for (int i = 0; i < 20 && (e == null || !e.anomalous()); i++) {
            e = d.evaluate(s, 102 + rnd.nextGaussian() * 0.1);
        }
        assertThat(e.anomalous()).isTrue();
        assertThat(e.anomalyType()).isEqualTo("level_shift");
    }

    /** Back from a detector score r / (1 + r) to r. */
    private static double ratio(double score) {
        return score / (1 - score);
    }

    private static MetricSettings withRepeatWindow(int repeatWindow) {
        return withRepeatWindow(repeatWindow, EnumSet.allOf(DetectorKind.class));
    }

    private static MetricSettings withRepeatWindow(int repeatWindow, EnumSet<DetectorKind> kinds) {
        MetricSettings b = Fixtures.linear(Direction.UP);
        return new MetricSettings(
                b.direction(),
                kinds,
                b.warmup(),
                b.window(),
                b.zThreshold(),
                b.iqrK(),
                b.madThreshold(),
                b.cusumSlack(),
                b.cusumDecision(),
                b.relativeFloor(),
                b.logScale(),
                b.unit(),
                b.clipAnomalies(),
                repeatWindow,
                false);
    }

    @Test
    void aRepeatNoWorseThanARecentScoreCountsHalfUntilTheRepeatWindowHasPassed() {
        // Point detectors only: with CUSUM, a second spike in a row is also evidence of a level
        // shift, so it is rightly worse than the first.
        MetricDetector d =
                new MetricDetector(
                        Metric.LATENCY_MS,
                        withRepeatWindow(
                                100,
                                EnumSet.of(
                                        DetectorKind.ZSCORE, DetectorKind.IQR, DetectorKind.MAD)));
        MetricState s = warmed(d, new Random(5), 300);

        Evaluation first = d.evaluate(s, 200);
        Evaluation repeat = d.evaluate(s, 200);
        Evaluation worse = d.evaluate(s, 400);

        assertThat(first.anomalous()).isTrue();
        assertThat(repeat.anomalous()).as("the decision is the detectors'").isTrue();
        // The repeat is judged against a baseline that barely moved: its full score is close to
        // the first one's, and it counts half.
        assertThat(repeat.score()).isCloseTo(first.score() / 2, within(0.05));
        assertThat(worse.score()).isGreaterThan(first.score());

        // After the repeat window (two halves of 50 values) of ordinary values, in full again.
        Random rnd = new Random(6);
        for (int i = 0; i < 100; i++) {
            d.evaluate(s, 100 + 10 * rnd.nextGaussian());
        }
        assertThat(d.evaluate(s, 400).score()).isGreaterThan(0.5);
    }

    @Test
    void theSameExcursionScoresLowerOnASeriesWhoseNoiseOftenCrossesTheThreshold() {
        MetricDetector d =
                new MetricDetector(
                        Metric.LATENCY_MS, withRepeatWindow(0, EnumSet.of(DetectorKind.ZSCORE)));
        Random rnd = new Random(8);
        MetricState gaussian = new MetricState();
        MetricState heavy = new MetricState();
        for (int i = 0; i < 3000; i++) {
            d.evaluate(gaussian, 100 + 10 * rnd.nextGaussian());
            // Mostly the same noise, but one value in twenty lands 5-6 sd out.
            double burst = rnd.nextInt(20) == 0 ? 50 + 10 * rnd.nextDouble() : 0;
            d.evaluate(heavy, 100 + 10 * rnd.nextGaussian() + burst);
        }
        assertThat(heavy.pointQ999).isGreaterThan(1.2 * gaussian.pointQ999);

        // Both 6 sd above their own mean: the same z, scored against different tails.
        double onGaussian = d.evaluate(gaussian, gaussian.mean + 6 * gaussian.stddev()).score();
        double onHeavy = d.evaluate(heavy, heavy.mean + 6 * heavy.stddev()).score();
        assertThat(onHeavy).isLessThan(onGaussian - 0.03);
    }

    @Test
    void flatSeriesNeitherFloodsNorGoesSilent() {
        MetricDetector d = new MetricDetector(Metric.LATENCY_MS, Fixtures.linearFloored(0.05, 1.0));
        MetricState s = new MetricState();
        int alarms = 0;
        for (int i = 0; i < 500; i++) {
            alarms += d.evaluate(s, 200).anomalous() ? 1 : 0;
        }
        assertThat(alarms).isZero();
        assertThat(d.evaluate(s, 202).anomalous()).isFalse(); // 1% change, under the 5% floor
        assertThat(d.evaluate(s, 260).anomalous()).isTrue(); // 30%: z = 60 / 10 = 6
    }

    @Test
    void rejectsNanAndInfinityWithoutPoisoningState() {
        MetricDetector d = linear(Direction.UP);
        MetricState s = warmed(d, new Random(5), 50);
        MetricState before = s.copy();

        assertThat(d.evaluate(s, Double.NaN).anomalous()).isFalse();
        assertThat(d.evaluate(s, Double.POSITIVE_INFINITY).anomalous()).isFalse();
        assertThat(d.evaluate(s, Double.NEGATIVE_INFINITY).anomalous()).isFalse();

        assertThat(s.count).isEqualTo(before.count);
        assertThat(s.mean).isEqualTo(before.mean);
        assertThat(s.median).isEqualTo(before.median);
        assertThat(s.cusumUp).isEqualTo(before.cusumUp);
    }

    @Test
    void logScaleKeepsTheOrdinaryLongTailQuiet() {
        // Lognormal latencies (median 1 s, sigma 0.5): right-skewed like real ones.
        int linearAlarms = alarmsOnLognormal(false);
        int logAlarms = alarmsOnLognormal(true);
        assertThat(logAlarms).isLessThan(linearAlarms / 3);
        assertThat(logAlarms).isLessThan(100); // of 10,000 ordinary values
    }

    private static int alarmsOnLognormal(boolean logScale) {
        MetricDetector d =
                new MetricDetector(
                        Metric.LATENCY_MS, MetricSettings.defaults(Direction.UP, logScale, 1.0));
        MetricState s = new MetricState();
        Random rnd = new Random(6);
        int alarms = 0;
        for (int i = 0; i < 10_000; i++) {
            alarms += d.evaluate(s, 1000 * Math.exp(0.5 * rnd.nextGaussian())).anomalous() ? 1 : 0;
        }
        return alarms;
    }

    @Test
    void logScaleStillCatchesAFivefoldLatency() {
        MetricDetector d =
                new MetricDetector(
                        Metric.LATENCY_MS, MetricSettings.defaults(Direction.UP, true, 1.0));
        MetricState s = new MetricState();
        Random rnd = new Random(7);
        for (int i = 0; i < 500; i++) {
            d.evaluate(s, 1000 * Math.exp(0.3 * rnd.nextGaussian()));
        }
        Evaluation e = d.evaluate(s, 5000);
        assertThat(e.anomalous()).isTrue();
        assertThat(e.baselineMedian()).isCloseTo(1000, within(100.0)); // back in milliseconds
    }
}
