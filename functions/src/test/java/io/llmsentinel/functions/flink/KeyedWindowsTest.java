package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The windowed metrics, counted and judged in the keyed detection, on the heap and on the RocksDB
 * state backend: one state value and one timer per key and window.
 */
class KeyedWindowsTest {

    static final DetectionSettings SETTINGS = DetectionSettings.defaults();
    static final long MINUTE = 60_000;
    static final long T0 = 1_700_000_040_000L - (1_700_000_040_000L % MINUTE);
    static final String KEY = "support-bot|gpt-4o";

    static KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> harness(
            String backend) throws Exception {
        var h =
                Harnesses.keyed(
                        new AnomalyDetectionFunction(SETTINGS, QuietStart.NONE),
                        new DimensionKeySelector.ForObservations(List.of("service", "model")));
        h.setStateBackend(AnomalyDetectionFunctionTest.backend(backend));
        return h;
    }

    /** A minute of {@code n} requests, {@code errors} of them failed, spread over the window. */
    static void minute(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h,
            int minute,
            int n,
            int errors,
            Random rnd)
            throws Exception {
        long start = T0 + minute * MINUTE;
        for (int i = 0; i < n; i++) {
            long t = start + i * (MINUTE / n);
            LlmRequest r = StateSnapshots.request(t, rnd);
            r.error = i < errors;
            h.processElement(new StreamRecord<>(Observation.of(r), t));
        }
    }

    /** Event time passes the end of {@code minute}: its window is judged. */
    static void endOf(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h, int minute)
            throws Exception {
        h.watermark(T0 + (minute + 1) * MINUTE - 1);
    }

    static void normalTraffic(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h,
            int from,
            int minutes,
            Random rnd)
            throws Exception {
        for (int m = from; m < from + minutes; m++) {
            minute(h, m, 100 + rnd.nextInt(10), rnd.nextInt(2), rnd);
            endOf(h, m);
        }
    }

    static List<Anomaly> windowAnomalies(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h) {
        return h.extractOutputValues().stream()
                .filter(a -> !a.metric.equals("latency_ms") && !a.metric.endsWith("tokens"))
                .filter(a -> a.eventTimeMs % MINUTE == MINUTE - 1)
                .toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void firesOnAnErrorBurstCountedFromRequests(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            Random rnd = new Random(1);
            normalTraffic(h, 0, 40, rnd);
            assertThat(windowAnomalies(h)).isEmpty();

            minute(h, 40, 105, 40, rnd); // 38% errors instead of about 0.5%
            assertThat(h.numEventTimeTimers()).as("one timer per key and window").isEqualTo(1);
            endOf(h, 40);

            assertThat(windowAnomalies(h))
                    .anySatisfy(
                            a -> {
                                assertThat(a.metric).isEqualTo("error_rate");
                                assertThat(a.anomalyType).isEqualTo("error_rate_increase");
                                assertThat(a.service).isEqualTo("support-bot");
                                assertThat(a.eventTimeMs).isEqualTo(T0 + 41 * MINUTE - 1);
                                assertThat(a.value)
                                        .isCloseTo(
                                                40 / 105.0,
                                                org.assertj.core.data.Offset.offset(1e-9));
                            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aKeyThatStopsIsAThroughputDropThenGoesQuiet(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 0, 40, new Random(2));
            // No more requests for this key; event time moves on (other keys keep it going).
            for (int m = 40; m <= 50; m++) {
                endOf(h, m);
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

    /**
     * An empty window obeys a maintenance window like a full one: when a key stops during
     * maintenance, its empty windows are judged without the baseline learning the zero rates.
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
                normalTraffic(h, 0, 40, new Random(4));
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
                for (int m = 40; m <= 50; m++) { // the key stops: its empty windows are judged
                    endOf(h, m);
                }
                learned[run] = requestRateValuesLearned(h);
            }
        }
        assertThat(learned[0])
                .as("without maintenance the empty windows are learned")
                .isEqualTo(40 + SETTINGS.emptyWindows());
        assertThat(learned[1]).as("during maintenance they are judged, not learned").isEqualTo(40);
    }

    /**
     * How many values the key's request_rate window baseline has learned (its state, read back).
     */
    private static long requestRateValuesLearned(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h)
            throws Exception {
        var op =
                (org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>)
                        h.getTwoInputOperator();
        op.setCurrentKey(KEY);
        var state =
                op.getKeyedStateBackend()
                        .getPartitionedState(
                                org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                                AnomalyDetectionFunction.stateDescriptor(
                                        AnomalyDetectionFunction.WINDOW_STATE_NAME,
                                        SETTINGS.stateTtlMs()));
        return state.value().peek(io.llmsentinel.functions.detect.Metric.REQUEST_RATE).count;
    }

    /**
     * A key holds a bounded number of open windows: requests far ahead of the watermark beyond it
     * are counted apart as late for windows, not kept.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aKeyHoldsABoundedNumberOfOpenWindows(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            Random rnd = new Random(5);
            int n = AnomalyDetectionFunction.MAX_OPEN_WINDOWS + 10;
            for (int m = 0; m < n; m++) { // one request a minute, the watermark left behind
                long t = T0 + m * MINUTE;
                h.processElement(
                        new StreamRecord<>(Observation.of(StateSnapshots.request(t, rnd)), t));
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(AnomalyDetectionFunction.MAX_OPEN_WINDOWS);
            assertThat(h.getSideOutput(AnomalyDetectionFunction.LATE_FOR_WINDOWS)).hasSize(10);
        }
    }

    /** A snapshot in the middle of a window keeps its counts: the same decisions as without. */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void restoredStateGivesTheSameDecisions(String backend) throws Exception {
        List<String> uninterrupted;
        try (var h = harness(backend)) {
            h.open();
            Random rnd = new Random(3);
            normalTraffic(h, 0, 40, rnd);
            minute(h, 40, 105, 40, rnd);
            h.getOutput().clear(); // where the other run takes its snapshot
            endOf(h, 40);
            minute(h, 41, 400, 1, rnd);
            endOf(h, 41);
            uninterrupted = h.extractOutputValues().stream().map(a -> a.anomalyId).toList();
        }
        OperatorSubtaskState snapshot;
        Random rnd = new Random(3);
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 0, 40, rnd);
            minute(h, 40, 105, 40, rnd);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            endOf(h, 40);
            minute(h, 41, 400, 1, rnd);
            endOf(h, 41);
            assertThat(uninterrupted).isNotEmpty();
            assertThat(h.extractOutputValues().stream().map(a -> a.anomalyId).toList())
                    .containsExactlyElementsOf(uninterrupted);
        }
    }

    /**
     * A request after its window was judged is counted apart (and still judged per request); a tool
     * execution counts in its window but has no per-request baseline.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void lateRequestsAndToolExecutions(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            normalTraffic(h, 0, 3, new Random(4));
            LlmRequest late = StateSnapshots.request(T0 + 30_000, new Random(5));
            h.processElement(new StreamRecord<>(Observation.of(late), late.eventTimeMs));
            assertThat(h.getSideOutput(AnomalyDetectionFunction.LATE_FOR_WINDOWS))
                    .singleElement()
                    .satisfies(r -> assertThat(r.getValue().eventTimeMs).isEqualTo(T0 + 30_000));
            assertThat(h.numEventTimeTimers()).as("no window reopened").isEqualTo(1);

            LlmRequest tool = StateSnapshots.request(T0 + 3 * MINUTE + 5, new Random(6));
            tool.kind = RequestKind.TOOL_EXECUTION;
            tool.service = "tools";
            h.processElement(new StreamRecord<>(Observation.of(tool), tool.eventTimeMs));
            assertThat(h.numEventTimeTimers()).as("the tool key's window").isEqualTo(2);
        }
    }

    /**
     * Switching state backends goes through a canonical savepoint: one taken on the heap restores
     * on RocksDB, and one taken there restores on the heap, each in the middle of a window, with
     * the same anomalies as a run that never switched.
     */
    @org.junit.jupiter.api.Test
    void aCanonicalSavepointMovesBetweenStateBackends() throws Exception {
        List<String> uninterrupted;
        try (var h = harness("heap")) {
            h.open();
            Random rnd = new Random(8);
            normalTraffic(h, 0, 20, rnd);
            minute(h, 20, 104, 0, rnd);
            endOf(h, 20);
            normalTraffic(h, 21, 19, rnd);
            minute(h, 40, 105, 40, rnd);
            endOf(h, 40);
            minute(h, 41, 400, 1, rnd);
            endOf(h, 41);
            uninterrupted = h.extractOutputValues().stream().map(a -> a.anomalyId).toList();
        }
        List<String> switched = new java.util.ArrayList<>();
        Random rnd = new Random(8);
        OperatorSubtaskState onHeap;
        try (var h = harness("heap")) {
            h.open();
            normalTraffic(h, 0, 20, rnd);
            minute(h, 20, 104, 0, rnd);
            onHeap = savepoint(h, 1);
            h.extractOutputValues().forEach(a -> switched.add(a.anomalyId));
        }
        OperatorSubtaskState onRocksDb;
        try (var h = harness("rocksdb")) {
            h.initializeState(onHeap);
            h.open();
            endOf(h, 20);
            normalTraffic(h, 21, 19, rnd);
            minute(h, 40, 105, 40, rnd);
            onRocksDb = savepoint(h, 2);
            h.extractOutputValues().forEach(a -> switched.add(a.anomalyId));
        }
        try (var h = harness("heap")) {
            h.initializeState(onRocksDb);
            h.open();
            endOf(h, 40);
            minute(h, 41, 400, 1, rnd);
            endOf(h, 41);
            h.extractOutputValues().forEach(a -> switched.add(a.anomalyId));
        }
        assertThat(uninterrupted).isNotEmpty();
        assertThat(switched).containsExactlyElementsOf(uninterrupted);
    }

    static OperatorSubtaskState savepoint(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h, long id)
            throws Exception {
        return h.snapshotWithLocalState(
                        id,
                        id,
                        org.apache.flink.runtime.checkpoint.SavepointType.savepoint(
                                org.apache.flink.core.execution.SavepointFormatType.CANONICAL))
                .getJobManagerOwnedState();
    }
}
