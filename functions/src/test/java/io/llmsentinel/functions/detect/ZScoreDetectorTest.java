package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ZScoreDetectorTest {

    /** Threshold 3, warm-up 4, window 1000 (exact mean/variance here), no floors. */
    private final ZScoreDetector detector =
            new ZScoreDetector(3.0, 4, 1000, new SpreadFloor(0, 0), Direction.UP, true);

    private RollingMoments baseline(double... values) {
        RollingMoments m = new RollingMoments();
        for (double v : values) {
            detector.observe(m, v);
        }
        return m;
    }

    @Test
    void computesExactMeanAndPopulationVarianceWithinTheWindow() {
        RollingMoments m = baseline(10, 12, 10, 12);
        assertThat(m.mean).isEqualTo(11.0);
        assertThat(m.stddev()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void firesAtExactlyTheThresholdAndNotJustBelow() {
        // mean 11, sd 1: 14 is exactly z = 3.
        assertThat(detector.judge(baseline(10, 12, 10, 12), 14.0).fired()).isTrue();
        assertThat(detector.judge(baseline(10, 12, 10, 12), 13.99).fired()).isFalse();
    }

    @Test
    void scoresHalfAtTheThresholdAndGradesSeverity() {
        Verdict at = detector.judge(baseline(10, 12, 10, 12), 14.0);
        Verdict far = detector.judge(baseline(10, 12, 10, 12), 11 + 12.0);
        assertThat(at.score()).isCloseTo(0.5, within(1e-12));
        assertThat(at.statistic()).isCloseTo(3.0, within(1e-12));
        assertThat(at.severity()).isEqualTo(Severity.LOW);
        assertThat(far.statistic()).isCloseTo(12.0, within(1e-12));
        assertThat(far.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(far.score()).isGreaterThan(at.score()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void staysSilentDuringWarmup() {
        RollingMoments m = baseline(10, 12, 10);
        assertThat(detector.judge(m, 1_000_000).fired()).isFalse();
    }

    @Test
    void watchesOnlyTheConfiguredDirection() {
        assertThat(detector.judge(baseline(10, 12, 10, 12), 5.0).fired()).isFalse();
        ZScoreDetector both =
                new ZScoreDetector(3.0, 4, 1000, new SpreadFloor(0, 0), Direction.BOTH, true);
        RollingMoments m = new RollingMoments();
        for (double v : new double[] {10, 12, 10, 12}) {
            both.observe(m, v);
        }
        Verdict down = both.judge(m, 5.0);
        assertThat(down.fired()).isTrue();
        assertThat(down.sign()).isEqualTo(-1);
    }

    @Test
    void flatSeriesUsesTheSpreadFloorInsteadOfFloodingOrGoingSilent() {
        ZScoreDetector floored =
                new ZScoreDetector(3.0, 4, 1000, new SpreadFloor(1.0, 0.05), Direction.UP, true);
        RollingMoments m = new RollingMoments();
        for (int i = 0; i < 10; i++) {
            floored.observe(m, 100);
        }
        assertThat(m.stddev()).isZero();
        // floor = max(1, 5% of 100) = 5, so the threshold sits at 115.
        assertThat(floored.judge(m, 100.5).fired()).isFalse();
        assertThat(floored.judge(m, 114.9).fired()).isFalse();
        assertThat(floored.judge(m, 115.0).fired()).isTrue();
    }

    @Test
    void aSpikeDoesNotDragTheBaseline() {
        RollingMoments m = baseline(10, 12, 10, 12);
        detector.observe(m, 1000);
        // Clipped to mean + 3 sd = 14 before it joined: mean moves from 11 to 11.6, not to 209.
        assertThat(m.mean).isCloseTo(11.6, within(1e-9));
    }

    @Test
    void aLastingShiftIsLearnedSoAlarmsStop() {
        RollingMoments m = new RollingMoments();
        ZScoreDetector d =
                new ZScoreDetector(3.0, 10, 50, new SpreadFloor(0, 0.01), Direction.UP, true);
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < 200; i++) {
            d.observe(m, 100 + rnd.nextGaussian());
        }
        int lateAlarms = 0;
        for (int i = 0; i < 400; i++) {
            boolean fired = d.observe(m, 130 + rnd.nextGaussian()).fired();
            if (i >= 300 && fired) {
                lateAlarms++;
            }
        }
        assertThat(m.mean).isCloseTo(130, within(1.0));
        assertThat(lateAlarms).isLessThanOrEqualTo(2);
    }

    @Test
    void baselineFollowsTheSeriesOverItsWindow() {
        ZScoreDetector d =
                new ZScoreDetector(3.0, 4, 10, new SpreadFloor(0, 0), Direction.BOTH, false);
        RollingMoments m = new RollingMoments();
        for (int i = 0; i < 100; i++) {
            d.observe(m, 1.0);
        }
        for (int i = 0; i < 100; i++) {
            d.observe(m, 2.0);
        }
        assertThat(m.mean).isCloseTo(2.0, within(1e-3));
    }

    @Test
    void rejectsNanAndInfinityWithoutPoisoningState() {
        RollingMoments m = baseline(10, 12, 10, 12);
        assertThat(detector.observe(m, Double.NaN).fired()).isFalse();
        assertThat(detector.observe(m, Double.POSITIVE_INFINITY).fired()).isFalse();
        assertThat(m.count).isEqualTo(4);
        assertThat(m.mean).isEqualTo(11.0);
    }
}
