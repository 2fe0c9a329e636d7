package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MadDetectorTest {
    private final MadDetector mad = MadDetector.INSTANCE;

    @Test
    void modifiedZScore() {
        // 0.6745 * (150 - 100) / 8 = 4.215625
        Verdict v = mad.judge(Fixtures.state(), 150, Fixtures.linear(Direction.UP));
        assertThat(v.statistic()).isCloseTo(4.215625, within(1e-9));
        assertThat(v.fired()).isTrue();
    }

    @Test
    void firesAtExactlyThreePointFive() {
        double atThreshold = 100 + 3.5 * 8 / 0.6745;
        assertThat(mad.judge(Fixtures.state(), atThreshold, Fixtures.linear(Direction.UP)).fired())
                .isTrue();
        assertThat(
                        mad.judge(
                                        Fixtures.state(),
                                        atThreshold - 0.01,
                                        Fixtures.linear(Direction.UP))
                                .fired())
                .isFalse();
    }

    @Test
    void zeroMadUsesTheFloor() {
        MetricState flat = Fixtures.state();
        flat.mad = 0;
        flat.variance = 0; // a truly flat series: only the spread floor is left
        // floor sd 5 -> MAD floor 0.6745 * 5; M = (x - 100) / 5, fires at 117.5
        MetricSettings floored = Fixtures.linearFloored(0.05, 1.0);
        assertThat(mad.judge(flat, 117.4, floored).fired()).isFalse();
        assertThat(mad.judge(flat, 117.5, floored).fired()).isTrue();
    }
}
