package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.MetricPoint;
import io.llmsentinel.functions.model.WindowInput;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Cumulative GenAI metrics as real deployments send them: the calls counted must be the calls made,
 * whatever the order of the points and however many processes share one series.
 */
class MetricDeltasFunctionTest {
    static final long T0 = 1_764_000_000_000L;

    static MetricPoint point(long start, long time, long count) {
        MetricPoint p = new MetricPoint();
        p.service = "svc";
        p.model = "gpt-4o";
        p.kind = MetricPoint.Kind.DURATION;
        p.seriesId = "svc|gen_ai.client.operation.duration|gpt-4o";
        p.cumulative = true;
        p.startTimeMs = start;
        p.timeMs = time;
        p.count = count;
        p.sum = count * 0.8;
        return p;
    }

    static long callsCounted(List<MetricPoint> points) throws Exception {
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, WindowInput>(
                        new KeyedProcessOperator<>(new MetricDeltasFunction(0)),
                        MetricDeltasFunction::lineage,
                        Types.STRING)) {
            h.open();
            for (MetricPoint p : points) {
                h.processElement(new StreamRecord<>(p, p.timeMs));
            }
            return h.extractOutputValues().stream().mapToLong(w -> w.metricCount).sum();
        }
    }

    @Test
    void twoReplicasWithoutAnInstanceIdAreCountedOnceEach() throws Exception {
        // Two processes, identical resource attributes, started 5 s apart, exporting every minute:
        // one series whose start time flips back and forth at every point.
        long a = T0;
        long b = T0 + 5_000;
        List<MetricPoint> points = new java.util.ArrayList<>();
        for (int minute = 1; minute <= 10; minute++) {
            points.add(point(a, a + minute * 60_000L, 100L * minute));
            points.add(point(b, b + minute * 60_000L, 100L * minute));
        }
        assertThat(callsCounted(points)).isEqualTo(2_000);
    }

    @Test
    void aLatePointOfARestartedProcessIsNotCountedAgain() throws Exception {
        long first = T0;
        long second = T0 + 80_000; // the process restarted
        assertThat(
                        callsCounted(
                                List.of(
                                        point(first, first + 60_000, 20),
                                        point(second, second + 10_000, 10),
                                        point(first, first + 60_000, 20), // redelivered
                                        point(second, second + 70_000, 30))))
                .as("20 calls before the restart, 30 after")
                .isEqualTo(50);
    }
}
