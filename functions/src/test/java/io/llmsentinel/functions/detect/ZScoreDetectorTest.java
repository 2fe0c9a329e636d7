package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ZScoreDetectorTest {
    private final ZScoreDetector z = ZScoreDetector.INSTANCE;

    @Test
    void standardizedDistanceFromTheMean() {
        // (145 - 100) / 10 = 4.5
        Verdict v = z.judge(Fixtures.state(), 145, Fixtures.linear(Direction.UP));
        assertThat(v.statistic()).isCloseTo(4.5, within(1e-12));
        assertThat(v.fired()).isTrue();
        assertThat(v.sign()).isEqualTo(1);
        assertThat(v.severity()).isEqualTo(Severity.MEDIUM); // 4.5 / 3 = 1.5
        assertThat(v.score()).isCloseTo(1.5 / 2.5, within(1e-12)); // r / (1 + r)
    }

    @Test
    void firesAtExactlyTheThresholdAndNotJustBelow() {
        assertThat(z.judge(Fixtures.state(), 130, Fixtures.linear(Direction.UP)).fired()).isTrue();
        assertThat(z.judge(Fixtures.state(), 129.99, Fixtures.linear(Direction.UP)).fired())
                .isFalse();
        assertThat(z.judge(Fixtures.state(), 130, Fixtures.linear(Direction.UP)).score())
                .isCloseTo(0.5, within(1e-12));
    }

    @Test
    void watchesOnlyTheConfiguredDirection() {
        assertThat(z.judge(Fixtures.state(), 50, Fixtures.linear(Direction.UP)).fired()).isFalse();
        Verdict down = z.judge(Fixtures.state(), 50, Fixtures.linear(Direction.BOTH));
        assertThat(down.fired()).isTrue();
        assertThat(down.sign()).isEqualTo(-1);
        assertThat(down.statistic()).isCloseTo(5, within(1e-12));
    }

    @Test
    void zeroSpreadUsesTheFloorInsteadOfFloodingOrGoingSilent() {
        MetricState flat = Fixtures.state();
        flat.variance = 0;
        // floor = max(unit 1, 5% of 100) = 5: 114.9 is z 2.98, 115 is z 3.
        MetricSettings floored = Fixtures.linearFloored(0.05, 1.0);
        assertThat(z.judge(flat, 100.5, floored).fired()).isFalse();
        assertThat(z.judge(flat, 114.9, floored).fired()).isFalse();
        assertThat(z.judge(flat, 115, floored).fired()).isTrue();
    }

    @Test
    void notReadyDuringWarmup() {
        MetricState s = Fixtures.state();
        s.count = 3;
        assertThat(z.ready(s, Fixtures.linear(Direction.UP))).isFalse();
        s.count = 4;
        assertThat(z.ready(s, Fixtures.linear(Direction.UP))).isTrue();
    }
}
