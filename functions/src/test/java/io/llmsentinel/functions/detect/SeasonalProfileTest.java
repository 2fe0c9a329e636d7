package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeasonalProfileTest {

    static final long MINUTE = 60_000L;
    static final long DAY = 24 * 60 * MINUTE;

    /** Requests per minute of a service busy by day (peak 200 at 14:00 UTC) and quiet at night. */
    static double traffic(long t, Random rnd) {
        double hour = (t % DAY) / 3_600_000.0;
        return 110 + 90 * Math.cos((hour - 14) / 24 * 2 * Math.PI) + 5 * rnd.nextGaussian();
    }

    private static MetricSettings rate(boolean seasonal) {
        return new MetricSettings(
                Direction.BOTH,
                EnumSet.allOf(DetectorKind.class),
                10,
                1500,
                3.0,
                1.5,
                3.5,
                0.5,
                5.0,
                0.05,
                false,
                1.0,
                true,
                600,
                seasonal);
    }

    @Test
    void learnsADailyCycleAndWeighsItInOnlyOnceItExplainsTheSeries() {
        SeasonalProfile p = new SeasonalProfile();
        Random rnd = new Random(1);
        for (long t = 0; t < 7 * DAY; t += 5 * MINUTE) {
            p.learn(t, traffic(t, rnd), 1500);
        }
        assertThat(p.weight()).isEqualTo(1.0);
        // What is usual at 14:00 and at 02:00, as deviations from the level (about 110).
        assertThat(p.expected(14 * 60 * MINUTE)).isCloseTo(90, within(8.0));
        assertThat(p.expected(2 * 60 * MINUTE)).isCloseTo(-90, within(8.0));

        SeasonalProfile flat = new SeasonalProfile();
        for (long t = 0; t < 3 * DAY; t += 5 * MINUTE) {
            flat.learn(t, 110 + 5 * rnd.nextGaussian(), 1500);
        }
        assertThat(flat.weight()).as("no daily cycle, no adjustment").isZero();
    }

    @Test
    void aDaytimeRateAtNightIsAThroughputSpikeAgainstTheBaselineOfTheNight() {
        MetricDetector seasonal = new MetricDetector(Metric.REQUEST_RATE, rate(true));
        MetricState s = new MetricState();
        Random rnd = new Random(2);
        for (long t = 0; t < 4 * DAY; t += MINUTE) {
            seasonal.evaluate(s, traffic(t, rnd), t, null);
        }
        long night = 4 * DAY + 2 * 60 * MINUTE; // 02:00, when about 20 requests/min are usual
        double daytimeRate = 190;

        Evaluation withCycle = seasonal.evaluate(s, daytimeRate, night, null);

        assertThat(withCycle.anomalous()).isTrue();
        assertThat(withCycle.anomalyType()).isEqualTo("throughput_spike");
        // The baseline reported is the one for 02:00, not the day's average.
        assertThat(withCycle.baselineMedian()).isCloseTo(20, within(15.0));
    }

    @Test
    void anOrdinaryDayRaisesNoLevelShiftsWhenItsCycleIsKnown() {
        MetricDetector seasonal = new MetricDetector(Metric.REQUEST_RATE, rate(true));
        MetricDetector plain = new MetricDetector(Metric.REQUEST_RATE, rate(false));
        MetricState s = new MetricState();
        MetricState p = new MetricState();
        Random rnd = new Random(4);
        int withCycle = 0;
        int without = 0;
        // The profile learns from its second day on (when the level is a whole day's mean), one
        // value per minute into five-minute bins: a week of history makes five values a bin.
        for (long t = 0; t < 8 * DAY; t += MINUTE) {
            double x = traffic(t, rnd);
            boolean a = levelShift(seasonal.evaluate(s, x, t, null));
            boolean b = levelShift(plain.evaluate(p, x, t, null));
            if (t >= 7 * DAY) { // the last day, once the cycle is known
                withCycle += a ? 1 : 0;
                without += b ? 1 : 0;
            }
        }
        // Without the profile, CUSUM reads every evening's fall and morning's rise as level
        // shifts; with it, the day's traffic is ordinary.
        assertThat(without).isGreaterThan(20);
        assertThat(withCycle).isLessThan(without / 3);
    }

    private static boolean levelShift(Evaluation e) {
        return java.util.Arrays.stream(e.fired()).anyMatch(v -> v.detector() == DetectorKind.CUSUM);
    }

    @Test
    void aSeriesWithoutADailyCycleScoresExactlyAsWithoutTheProfile() {
        MetricDetector seasonal = new MetricDetector(Metric.REQUEST_RATE, rate(true));
        MetricDetector plain = new MetricDetector(Metric.REQUEST_RATE, rate(false));
        MetricState s = new MetricState();
        MetricState p = new MetricState();
        Random rnd = new Random(3);
        for (long t = 0; t < 2 * DAY; t += MINUTE) {
            double x = 100 + 10 * rnd.nextGaussian() + (t % 977 == 0 ? 80 : 0);
            assertThat(seasonal.evaluate(s, x, t, null).score())
                    .isEqualTo(plain.evaluate(p, x, t, null).score());
        }
        assertThat(s.season.weight()).isZero();
    }
}
