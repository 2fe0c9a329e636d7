package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class CusumDetectorTest {
    private final CusumDetector cusum = CusumDetector.INSTANCE;

    @Test
    void accumulatesStandardizedExcessOverTheSlack() {
        MetricState s = Fixtures.state(); // mean 100, sd 10
        MetricSettings m = Fixtures.linear(Direction.BOTH);
        // u = 2 each time: S+ grows by 2 - 0.5 = 1.5: 1.5, 3.0, 4.5, 6.0 -> fires at the 4th.
        for (int i = 1; i <= 3; i++) {
            Verdict v = cusum.judge(s, 120, m);
            assertThat(v.statistic()).isCloseTo(1.5 * i, within(1e-12));
            assertThat(v.fired()).isFalse();
            CusumDetector.accumulate(s, 120, m, false);
        }
        Verdict fourth = cusum.judge(s, 120, m);
        assertThat(fourth.fired()).isTrue();
        assertThat(fourth.sign()).isEqualTo(1);
        CusumDetector.accumulate(s, 120, m, true);
        assertThat(s.cusumUp).isZero(); // restarts after it fires
        assertThat(s.cusumDown).isZero();
    }

    @Test
    void firesOnDownwardShiftAndReportsDirection() {
        MetricState s = Fixtures.state();
        MetricSettings m = Fixtures.linear(Direction.BOTH);
        Verdict v = null;
        for (int i = 0; i < 10 && (v == null || !v.fired()); i++) {
            v = cusum.judge(s, 85, m); // u = -1.5 -> S- grows by 1.0
            CusumDetector.accumulate(s, 85, m, v.fired());
        }
        assertThat(v.fired()).isTrue();
        assertThat(v.sign()).isEqualTo(-1);
    }

    @Test
    void oneOutlierCannotFireItAlone() {
        // u is clipped to the z threshold (3): one huge value adds at most 2.5 < 5.
        Verdict v = cusum.judge(Fixtures.state(), 1e9, Fixtures.linear(Direction.UP));
        assertThat(v.statistic()).isCloseTo(2.5, within(1e-12));
        assertThat(v.fired()).isFalse();
    }

    @Test
    void findsASlowDriftThatNoSingleValueGivesAway() {
        MetricSettings m =
                Fixtures.linear(
                        Direction.UP, EnumSet.of(DetectorKind.ZSCORE, DetectorKind.CUSUM), 20, 200);
        MetricDetector d = new MetricDetector(Metric.LATENCY_MS, m);
        MetricState s = new MetricState();
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 300; i++) {
            assertThat(d.evaluate(s, 100 + rnd.nextGaussian()).anomalous() && i < 20).isFalse();
        }
        boolean zFired = false;
        boolean cusumFired = false;
        // Drift of 0.02 sd per value: after 100 values the level is only 2 sd higher.
        for (int i = 0; i < 100; i++) {
            Evaluation e = d.evaluate(s, 100 + 0.02 * i + rnd.nextGaussian() * 0.3);
            for (Verdict v : e.fired()) {
                zFired |= v.detector() == DetectorKind.ZSCORE;
                cusumFired |= v.detector() == DetectorKind.CUSUM;
            }
        }
        assertThat(cusumFired).isTrue();
        assertThat(zFired).isFalse();
    }
}
