package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.MetricPoint;
import org.junit.jupiter.api.Test;

class MetricDeltasTest {
    static final long T0 = 1_764_000_000_000L;

    static MetricPoint cumulative(long start, long time, long count, double sum, long... buckets) {
        MetricPoint p = new MetricPoint();
        p.kind = MetricPoint.Kind.DURATION;
        p.cumulative = true;
        p.startTimeMs = start;
        p.timeMs = time;
        p.count = count;
        p.sum = sum;
        p.bounds = new double[] {100, 1000};
        p.buckets = buckets;
        return p;
    }

    @Test
    void cumulativePointsBecomeTheDifferenceToThePreviousPoint() {
        MetricDeltas.Step s1 =
                MetricDeltas.next(null, cumulative(T0, T0 + 60_000, 10, 5000, 2, 7, 1));
        assertThat(s1.interval().count).as("a fresh series counts whole").isEqualTo(10);
        MetricDeltas.Step s2 =
                MetricDeltas.next(s1.last(), cumulative(T0, T0 + 120_000, 16, 8000, 3, 11, 2));
        MetricPoint d = s2.interval();
        assertThat(d.cumulative).isFalse();
        assertThat(d.count).isEqualTo(6);
        assertThat(d.sum).isEqualTo(3000);
        assertThat(d.buckets).containsExactly(1, 4, 1);
        assertThat(d.startTimeMs).isEqualTo(T0 + 60_000);
        assertThat(d.timeMs).isEqualTo(T0 + 120_000);
    }

    @Test
    void aCounterResetStartsANewSeries() {
        MetricDeltas.Step s1 =
                MetricDeltas.next(null, cumulative(T0, T0 + 60_000, 100, 50_000, 10, 80, 10));
        // the process restarted: a new start time and smaller totals
        MetricDeltas.Step s2 =
                MetricDeltas.next(
                        s1.last(), cumulative(T0 + 90_000, T0 + 120_000, 4, 2000, 1, 3, 0));
        assertThat(s2.interval().count).isEqualTo(4);
        // totals that went down under the same start time are a reset too
        MetricDeltas.Step s3 =
                MetricDeltas.next(
                        s2.last(), cumulative(T0 + 90_000, T0 + 180_000, 2, 900, 1, 1, 0));
        assertThat(s3.interval().count).isEqualTo(2);
        assertThat(s3.last().count).isEqualTo(2);
    }

    @Test
    void aLongRunningSeriesSeenForTheFirstTimeOnlyStartsCounting() {
        MetricDeltas.Step s1 =
                MetricDeltas.next(
                        null, cumulative(T0, T0 + 3_600_000, 9_000, 1e6, 1000, 7000, 1000));
        assertThat(s1.interval()).isNull();
        MetricDeltas.Step s2 =
                MetricDeltas.next(
                        s1.last(), cumulative(T0, T0 + 3_660_000, 9_150, 1.1e6, 1010, 7120, 1020));
        assertThat(s2.interval().count).isEqualTo(150);
    }

    @Test
    void repeatsAndOutOfOrderPointsAreIgnored() {
        MetricDeltas.Step s1 =
                MetricDeltas.next(null, cumulative(T0, T0 + 60_000, 10, 5000, 2, 7, 1));
        assertThat(
                        MetricDeltas.next(s1.last(), cumulative(T0, T0 + 60_000, 10, 5000, 2, 7, 1))
                                .interval())
                .isNull();
        assertThat(
                        MetricDeltas.next(s1.last(), cumulative(T0, T0 + 30_000, 5, 2000, 1, 4, 0))
                                .interval())
                .isNull();
    }

    @Test
    void deltaPointsPassAsTheyAre() {
        MetricPoint p = cumulative(T0, T0 + 60_000, 3, 900, 1, 2, 0);
        p.cumulative = false;
        assertThat(MetricDeltas.next(null, p).interval()).isSameAs(p);
    }

    @Test
    void quantilesInterpolateInsideTheirBucket() {
        double[] bounds = {100, 1000};
        long[] buckets = {50, 40, 10};
        assertThat(MetricDeltas.quantile(bounds, buckets, 0.5, 0, 5000)).isEqualTo(100.0);
        assertThat(MetricDeltas.quantile(bounds, buckets, 0.7, 0, 5000)).isEqualTo(550.0);
        assertThat(MetricDeltas.quantile(bounds, buckets, 0.95, 0, 5000)).isEqualTo(3000.0);
        assertThat(MetricDeltas.quantile(bounds, buckets, 0.95, Double.NaN, Double.NaN))
                .as("no max known: the last bound")
                .isEqualTo(1000.0);
        assertThat(MetricDeltas.quantile(bounds, new long[] {0, 0, 0}, 0.5, 0, 1)).isNaN();
    }
}
