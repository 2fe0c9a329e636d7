package io.llmsentinel.functions.detect;

import static io.llmsentinel.functions.detect.Shapes.DAY;
import static io.llmsentinel.functions.detect.Shapes.HOUR;
import static io.llmsentinel.functions.detect.Shapes.MINUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a series' scores must not depend on: its unit (x 1000), its sign (negated, both directions
 * watched), the time of day it started at, a constant added to it (with the level floor off, see
 * below), and, within a tolerance, whether it is sampled every 5 or every 10 minutes. On synthetic
 * series and on short shapes like NAB's development series, generated here.
 */
class SeriesInvarianceTest {

    private static final MetricSettings SERIES = Shapes.series();

    /** Five days, every 5 minutes: enough for the daily cycle to count. */
    private static Shapes.Series fiveDays(Shapes.Shape shape, long seed) {
        return Shapes.generate(Shapes.START, 5 * MINUTE, 5 * DAY, shape, seed);
    }

    record Case(String name, Shapes.Series series) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> series() {
        return Stream.of(
                new Case("noise", fiveDays((t, rnd) -> 100 + 5 * rnd.nextGaussian(), 1)),
                new Case("square daily wave", fiveDays(Shapes.squareWave(80), 2)),
                new Case(
                        "smooth cycle with a jump",
                        fiveDays(
                                (t, rnd) ->
                                        Shapes.smoothCycle().at(t, rnd)
                                                + (t > 4 * DAY && t < 4 * DAY + 2 * HOUR ? 15 : 0),
                                3)),
                new Case(
                        "cpu-like with spikes and a level change",
                        fiveDays(
                                (t, rnd) ->
                                        (t < 3 * DAY ? 40 : 55)
                                                + 2 * rnd.nextGaussian()
                                                + (rnd.nextDouble() < 0.01 ? 30 : 0),
                                4)),
                new Case("counts", fiveDays((t, rnd) -> Shapes.poisson(15, rnd), 5)));
    }

    private static void assertSameScores(double[] expected, double[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("row %d", i).isCloseTo(expected[i], within(1e-6));
        }
    }

    @ParameterizedTest
    @MethodSource("series")
    void scoresDoNotDependOnTheUnit(Case c) {
        assertSameScores(
                Shapes.scores(c.series(), SERIES),
                Shapes.scores(c.series().map(x -> x * 1000), SERIES));
    }

    @ParameterizedTest
    @MethodSource("series")
    void aMirroredSeriesScoresAsItselfWhenBothDirectionsAreWatched(Case c) {
        assertSameScores(
                Shapes.scores(c.series(), SERIES), Shapes.scores(c.series().map(x -> -x), SERIES));
    }

    @ParameterizedTest
    @MethodSource("series")
    void scoresDoNotDependOnTheTimeOfDayTheSeriesStartedAt(Case c) {
        // The same series (its day follows its own clock) started 7 hours later.
        assertSameScores(
                Shapes.scores(c.series(), SERIES),
                Shapes.scores(c.series().shiftedInTime(7 * HOUR), SERIES));
    }

    /**
     * Adding a constant changes nothing once the level floor is off. With it on (the default,
     * {@code detection.spread-floor-relative: 0.05}) the spread a detector divides by is at least
     * 5% of the level, by design: the job's metrics are amounts (requests, errors, dollars) whose
     * noise grows with their level, so 1,000 +- 10 is quiet and 0 +- 10 is not. Replacing it with a
     * floor that ignores the level cost 2.4 NAB points (docs/detection.md).
     */
    @ParameterizedTest
    @MethodSource("series")
    void aConstantAddedChangesNothingWithoutTheLevelFloor(Case c) {
        MetricSettings noLevelFloor =
                new MetricSettings(
                        SERIES.direction(),
                        SERIES.detectors(),
                        SERIES.warmup(),
                        SERIES.window(),
                        SERIES.zThreshold(),
                        SERIES.iqrK(),
                        SERIES.madThreshold(),
                        SERIES.cusumSlack(),
                        SERIES.cusumDecision(),
                        0.0,
                        SERIES.logScale(),
                        SERIES.unit(),
                        SERIES.clipAnomalies(),
                        SERIES.repeatWindow(),
                        SERIES.seasonal(),
                        SERIES.surpriseRate());
        double[] plain = Shapes.scores(c.series(), noLevelFloor);
        double[] shifted = Shapes.scores(c.series().map(x -> x + 5000), noLevelFloor);
        assertThat(shifted).hasSameSizeAs(plain);
        for (int i = 0; i < plain.length; i++) {
            // Adding 5000 costs some floating-point digits of the values themselves.
            assertThat(shifted[i]).as("row %d", i).isCloseTo(plain[i], within(1e-3));
        }
    }

    @org.junit.jupiter.api.Test
    void aSeriesSampledEvery5MinutesScoresLikeItselfSampledEvery10() {
        // A square daily wave whose day level drops to 50 on the eighth day (from 00:00 to
        // 12:00 the next day); the 10-minute series keeps every other value of the 5-minute one.
        long dropFrom = 7 * DAY;
        long dropTo = dropFrom + DAY + 12 * HOUR;
        Shapes.Shape wave = Shapes.squareWave(80);
        Shapes.Shape lower = Shapes.squareWave(50);
        Shapes.Series five =
                Shapes.generate(
                        Shapes.START,
                        5 * MINUTE,
                        10 * DAY,
                        (t, rnd) -> (t >= dropFrom && t < dropTo ? lower : wave).at(t, rnd),
                        11);
        int n = five.size() / 2;
        long[] t10 = new long[n];
        double[] v10 = new double[n];
        for (int i = 0; i < n; i++) {
            t10[i] = five.times()[2 * i];
            v10[i] = five.values()[2 * i];
        }
        Shapes.Series ten = new Shapes.Series(t10, v10);

        double[] s5 = Shapes.scores(five, SERIES);
        double[] s10 = Shapes.scores(ten, SERIES);

        // Ordinary days, once learned, and the days after the drop: nothing flagged at either rate.
        for (List<Long> span :
                List.of(List.of(3 * DAY, dropFrom), List.of(dropTo + DAY, 10 * DAY))) {
            assertThat(
                            Shapes.peak(
                                    s5,
                                    five.rowAt(Shapes.START + span.get(0)),
                                    five.rowAt(Shapes.START + span.get(1))))
                    .as("5 minutes, %s", span)
                    .isLessThan(Shapes.FLAGGED);
            assertThat(
                            Shapes.peak(
                                    s10,
                                    ten.rowAt(Shapes.START + span.get(0)),
                                    ten.rowAt(Shapes.START + span.get(1))))
                    .as("10 minutes, %s", span)
                    .isLessThan(Shapes.FLAGGED);
        }
        // The drop: rarer than one in a thousand at both rates, peaks within 0.1. Not the same
        // side of the NAB threshold (0.662 and 0.593 here): the horizons of the tail and of the
        // repeats are counted in values, so at 10 minutes the early days' surprises weigh on the
        // tail twice as long (docs/detection.md).
        double drop5 =
                Shapes.peak(
                        s5, five.rowAt(Shapes.START + dropFrom), five.rowAt(Shapes.START + dropTo));
        double drop10 =
                Shapes.peak(
                        s10, ten.rowAt(Shapes.START + dropFrom), ten.rowAt(Shapes.START + dropTo));
        assertThat(drop5).isGreaterThan(0.5);
        assertThat(drop10).isGreaterThan(0.5);
        assertThat(drop10).isCloseTo(drop5, within(0.1));
    }

    @org.junit.jupiter.api.Test
    void theGeneratedSeriesAreWhatTheTestsSayTheyAre() {
        // Guards the invariance tests against a generator that returns a constant.
        Shapes.Series s = fiveDays(Shapes.squareWave(80), 2);
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double v : s.values()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertThat(hi - lo).isGreaterThan(50);
        assertThat(Shapes.poisson(15, new Random(1))).isBetween(0, 60);
    }
}
