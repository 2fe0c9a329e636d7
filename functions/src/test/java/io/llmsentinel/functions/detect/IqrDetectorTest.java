package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IqrDetectorTest {
    private final IqrDetector iqr = IqrDetector.INSTANCE;

    @Test
    void fencesAreQuartilesPlusKTimesIqr() {
        // Q1 90, Q3 110, IQR 20: fences at 60 and 140.
        assertThat(iqr.judge(Fixtures.state(), 140, Fixtures.linear(Direction.BOTH)).fired())
                .isTrue();
        assertThat(iqr.judge(Fixtures.state(), 139.9, Fixtures.linear(Direction.BOTH)).fired())
                .isFalse();
        assertThat(iqr.judge(Fixtures.state(), 60, Fixtures.linear(Direction.BOTH)).fired())
                .isTrue();
        assertThat(iqr.judge(Fixtures.state(), 60.1, Fixtures.linear(Direction.BOTH)).fired())
                .isFalse();
    }

    @Test
    void statisticIsDistanceBeyondTheQuartileInIqrs() {
        Verdict v = iqr.judge(Fixtures.state(), 170, Fixtures.linear(Direction.UP));
        assertThat(v.statistic()).isCloseTo(3.0, within(1e-12)); // (170 - 110) / 20
        assertThat(v.severity()).isEqualTo(Severity.HIGH); // 3 / 1.5 = 2
        Verdict low = iqr.judge(Fixtures.state(), 30, Fixtures.linear(Direction.DOWN));
        assertThat(low.statistic()).isCloseTo(3.0, within(1e-12)); // (90 - 30) / 20
        assertThat(low.sign()).isEqualTo(-1);
    }

    @Test
    void zeroIqrUsesTheFloor() {
        MetricState flat = Fixtures.state();
        flat.q1 = 100;
        flat.q3 = 100;
        flat.variance = 0; // a truly flat series: only the spread floor is left
        // floor sd 5 -> IQR floor 1.349 * 5 = 6.745; fence 100 + 1.5 * 6.745 = 110.1175
        MetricSettings floored = Fixtures.linearFloored(0.05, 1.0);
        assertThat(iqr.judge(flat, 110.1, floored).fired()).isFalse();
        assertThat(iqr.judge(flat, 110.2, floored).fired()).isTrue();
    }

    @Test
    void needsSeededQuartiles() {
        MetricState s = new MetricState();
        MetricSettings m = Fixtures.linear(Direction.UP);
        for (int i = 0; i < 3; i++) {
            s.learn(i, i, m);
        }
        assertThat(iqr.ready(s, m)).isFalse();
        s.learn(3, 3, m);
        assertThat(iqr.ready(s, m)).isTrue();
        // Seeded exactly from 0,1,2,3 (type-7 quantiles): Q1 0.75, median 1.5, Q3 2.25.
        assertThat(s.q1).isCloseTo(0.75, within(1e-12));
        assertThat(s.median).isCloseTo(1.5, within(1e-12));
        assertThat(s.q3).isCloseTo(2.25, within(1e-12));
        assertThat(s.mad).isCloseTo(1.0, within(1e-12)); // |dev| = 1.5, .5, .5, 1.5
    }
}
