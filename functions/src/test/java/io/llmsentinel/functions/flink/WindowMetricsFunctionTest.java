package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.model.WindowStats;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The windowed metrics on the heap and on the RocksDB state backend. */
class WindowMetricsFunctionTest {

    private static final DetectionSettings SETTINGS = DetectionSettings.defaults();
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_700_000_040_000L - (1_700_000_040_000L % MINUTE);

    static KeyedBroadcastOperatorTestHarness<String, WindowStats, String, Anomaly> harness(
            String backend) throws Exception {
        var h =
                Harnesses.keyed(
                        new WindowMetricsFunction(SETTINGS, QuietStart.NONE),
                        (WindowStats w) -> w.key);
        h.setStateBackend(AnomalyDetectionFunctionTest.backend(backend));
        return h;
    }

    static WindowStats window(int minute, long requests, long errors) {
        WindowStats w = new WindowStats();
        w.key = "support-bot|gpt-4o|openai|chat";
        w.service = "support-bot";
        w.model = "gpt-4o";
        w.provider = "openai";
        w.operation = "chat";
        w.windowStartMs = T0 + minute * MINUTE;
        w.windowEndMs = w.windowStartMs + MINUTE;
        w.requests = requests;
        w.errors = errors;
        w.costUsd = requests * 0.004;
        w.costKnown = requests;
        return w;
    }

    /** Sends a window's counts as the window operator would: then the watermark passes its end. */
    static void send(
            KeyedBroadcastOperatorTestHarness<String, WindowStats, String, Anomaly> h,
            WindowStats w)
            throws Exception {
        h.processElement(new StreamRecord<>(w, w.windowEndMs - 1));
        h.watermark((w.windowEndMs - 1));
    }

    static void normalTraffic(
            KeyedBroadcastOperatorTestHarness<String, WindowStats, String, Anomaly> h,
            int minutes,
            Random rnd)
            throws Exception {
        for (int m = 0; m < minutes; m++) {
            long requests = 600 + rnd.nextInt(40);
            send(h, window(m, requests, rnd.nextInt(8)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void firesOnAnErrorBurst(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 40, new Random(1));
            assertThat(h.extractOutputValues()).isEmpty();

            send(h, window(40, 610, 240)); // 39% errors instead of about 0.6%

            assertThat(h.extractOutputValues())
                    .anySatisfy(
                            a -> {
                                assertThat(a.metric).isEqualTo("error_rate");
                                assertThat(a.anomalyType).isEqualTo("error_rate_increase");
                                assertThat(a.service).isEqualTo("support-bot");
                                assertThat(a.value)
                                        .isCloseTo(
                                                240 / 610.0,
                                                org.assertj.core.data.Offset.offset(1e-9));
                            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aKeyThatStopsIsAThroughputDropThenGoesQuiet(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 40, new Random(2));
            // No more windows for this key; event time moves on (other keys keep it going).
            for (int m = 41; m <= 50; m++) {
                h.watermark((T0 + m * MINUTE - 1));
            }

            List<Anomaly> drops =
                    h.extractOutputValues().stream()
                            .filter(a -> a.metric.equals("request_rate"))
                            .toList();
            assertThat(drops).isNotEmpty();
            assertThat(drops.get(0).anomalyType).isEqualTo("throughput_drop");
            assertThat(drops.get(0).value).isZero();
            assertThat(drops.get(0).eventTimeMs).isEqualTo(T0 + 41 * MINUTE - 1);
            // Judged for at most `emptyWindows` windows, then no timers are left.
            assertThat(drops.size()).isLessThanOrEqualTo(SETTINGS.emptyWindows());
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void restoredStateGivesTheSameDecisions(String backend) throws Exception {
        List<String> uninterrupted;
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 40, new Random(3));
            send(h, window(40, 610, 240));
            send(h, window(41, 1900, 5));
            uninterrupted = h.extractOutputValues().stream().map(a -> a.anomalyId).toList();
        }
        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 40, new Random(3));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            send(h, window(40, 610, 240));
            send(h, window(41, 1900, 5));
            assertThat(uninterrupted).isNotEmpty();
            assertThat(h.extractOutputValues().stream().map(a -> a.anomalyId).toList())
                    .containsExactlyElementsOf(uninterrupted);
        }
    }

    /**
     * An empty window obeys a maintenance window like a full one: when a key stops during
     * maintenance, its empty windows are judged without the baseline learning the zero rates. (They
     * used to be judged with the plain detectors and learned.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void emptyWindowsDuringMaintenanceAreJudgedButNotLearned(String backend) throws Exception {
        long[] learned = new long[2];
        for (int run = 0; run < 2; run++) {
            boolean maintenance = run == 1;
            try (var h = harness(backend)) {
                h.open();
                h.setProcessingTime(T0);
                normalTraffic(h, 40, new Random(4));
                long from = T0 + 41 * MINUTE;
                h.setProcessingTime(from);
                if (maintenance) {
                    h.processBroadcastElement(
                            "{\"id\":\"m1\",\"author\":\"ana\",\"time\":\""
                                    + java.time.Instant.ofEpochMilli(from)
                                    + "\",\"type\":\"maintenance\",\"match\":{\"service\":\"support-bot\"},"
                                    + "\"from\":\""
                                    + java.time.Instant.ofEpochMilli(from)
                                    + "\",\"until\":\""
                                    + java.time.Instant.ofEpochMilli(from + 3_600_000L)
                                    + "\"}",
                            from);
                }
                for (int m = 41; m <= 50; m++) { // the key stops: its empty windows are judged
                    h.watermark(T0 + m * MINUTE - 1);
                }
                learned[run] = requestRateValuesLearned(h);
            }
        }
        assertThat(learned[0])
                .as("without maintenance the empty windows are learned")
                .isEqualTo(40 + SETTINGS.emptyWindows());
        assertThat(learned[1]).as("during maintenance they are judged, not learned").isEqualTo(40);
    }

    /** How many values the key's request_rate baseline has learned (its state, read back). */
    private static long requestRateValuesLearned(
            KeyedBroadcastOperatorTestHarness<String, WindowStats, String, Anomaly> h)
            throws Exception {
        var op =
                (org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>)
                        h.getTwoInputOperator();
        op.setCurrentKey(window(0, 1, 0).key);
        var state =
                op.getKeyedStateBackend()
                        .getPartitionedState(
                                org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                                AnomalyDetectionFunction.stateDescriptor(
                                        WindowMetricsFunction.STATE_NAME, SETTINGS.stateTtlMs()));
        return state.value().peek(io.llmsentinel.functions.detect.Metric.REQUEST_RATE).count;
    }
}
