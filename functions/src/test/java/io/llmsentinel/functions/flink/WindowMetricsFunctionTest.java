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
}
