package io.llmsentinel.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class BoundedLeadWatermarksTest {
    static final long NOW = 1_764_000_000_000L;
    static final long DISORDER = 30_000;

    /** Watermarks emitted, in order. */
    static final class Collected implements WatermarkOutput {
        final List<Long> marks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark w) {
            marks.add(w.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        long last() {
            return marks.get(marks.size() - 1);
        }
    }

    @Test
    void oneClientAMinuteAheadMakesNobodyElseLate() {
        long[] clock = {NOW};
        var gen = new BoundedLeadWatermarks<String>(DISORDER, () -> clock[0]);
        Collected out = new Collected();
        // Honest clients, then one whose clock is 60 s ahead, then honest ones again.
        long[] times = {NOW - 2_000, NOW - 1_000, NOW + 60_000, NOW - 500, NOW - 200};
        for (long t : times) {
            boolean late = !out.marks.isEmpty() && t <= out.last();
            assertThat(late).as("a request at %d behind watermark %s", t, out.marks).isFalse();
            gen.onEvent("span", t, out);
            gen.onPeriodicEmit(out);
        }
        assertThat(out.last()).isEqualTo(NOW - DISORDER - 1);
        clock[0] = NOW + 120_000; // the clock catches up with the fast client
        gen.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(NOW + 60_000 - DISORDER - 1);
    }

    @Test
    void aReplayOfOldDataGetsPlainBoundedOutOfOrdernessWatermarks() {
        var gen = new BoundedLeadWatermarks<String>(DISORDER, () -> NOW);
        Collected out = new Collected();
        gen.onPeriodicEmit(out);
        assertThat(out.marks).as("nothing before the first event").isEmpty();
        long old = NOW - 86_400_000L;
        gen.onEvent("span", old, out);
        gen.onEvent("span", old - 10_000, out);
        gen.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(old - DISORDER - 1);
    }
}
