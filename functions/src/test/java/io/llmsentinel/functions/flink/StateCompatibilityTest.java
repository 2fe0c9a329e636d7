package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stored state snapshot of a released (or earlier development) layout, in
 * src/test/resources/state-snapshots, restores into the current layout with what it learned, on the
 * heap and on RocksDB:
 *
 * <ul>
 *   <li>the per-request baselines of 0.1-0.3 and 0.4's development ({@code key-baseline}, one value
 *       per key) move into the key's {@link KeyState}: a spike is caught right after the restore,
 *       with no new warm-up;
 *   <li>a catch-up backlog waiting in the earlier layout is judged, in event-time order;
 *   <li>the windows' baselines of 0.3's windowed detection (uid detect-window-anomalies) reach the
 *       detection through {@link EarlierWindowBaselines}: an error burst in the first window after
 *       the restore is caught;
 *   <li>an open window's counts in 0.3's window operator (uid count-per-window) reach the detection
 *       through {@link EarlierWindowCounts}: the window is judged whole.
 * </ul>
 *
 * And a serializer whose format version was bumped without a migration is refused, not silently
 * misread.
 */
class StateCompatibilityTest {

    static final Path DIR = Path.of("src/test/resources/state-snapshots");

    static Stream<String> snapshots() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files =
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".snapshot"))
                            .sorted()
                            .toList();
        }
        assertThat(files).as("stored snapshots in %s", DIR).hasSizeGreaterThanOrEqualTo(8);
        return files.stream();
    }

    private static String backendOf(String file) {
        return file.contains("rocksdb") ? "rocksdb" : "heap";
    }

    private static OperatorSubtaskState read(String file) throws Exception {
        return OperatorSnapshotUtil.readStateHandle(DIR.resolve(file).toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snapshots")
    void restoresLearnedBaselinesWithoutANewWarmup(String file) throws Exception {
        try (var h = StateSnapshots.harness(backendOf(file))) {
            h.initializeState(read(file));
            h.open();
            Random rnd = new Random(7);
            long t = 1_764_000_400_000L;
            h.processElement(new StreamRecord<>(Observation.of(StateSnapshots.request(t, rnd)), t));
            LlmRequest spike = StateSnapshots.request(t + 1000, rnd);
            spike.latencyMs = 9000;
            h.processElement(new StreamRecord<>(Observation.of(spike), t + 1000));

            List<Anomaly> out = h.extractOutputValues();
            assertThat(out)
                    .filteredOn(a -> a.metric.equals("latency_ms"))
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.value).isEqualTo(9000);
                                assertThat(a.baselineSamples).isEqualTo(StateSnapshots.LEARNED + 1);
                                assertThat(a.baselineMedian).isBetween(1000.0, 1400.0);
                            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snapshots")
    void refusesAStateFormatBumpedWithoutAMigration(String file) throws Exception {
        KeyBaselineSerializer bumped =
                new KeyBaselineSerializer(KeyBaselineSerializer.FORMAT_VERSION + 1);
        try (var h = StateSnapshots.harness(backendOf(file), bumped, KeyStateSerializer.INSTANCE)) {
            h.initializeState(read(file));
            assertRefused(h);
        }
    }

    /**
     * The current layout: its own format, bumped without a migration, is refused; a key state whose
     * request baselines were written in an older baseline format is migrated.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void theKeyStateFormatIsCheckedOnRestore(String backend) throws Exception {
        OperatorSubtaskState olderBaselines;
        try (var h =
                StateSnapshots.harness(
                        backend,
                        KeyBaselineSerializer.INSTANCE,
                        new KeyStateSerializer(1, new KeyBaselineSerializer(3)))) {
            h.open();
            Random rnd = new Random(42);
            for (int i = 0; i < StateSnapshots.LEARNED; i++) {
                long t = 1_764_000_000_000L + i * 1000L;
                h.processElement(
                        new StreamRecord<>(Observation.of(StateSnapshots.request(t, rnd)), t));
            }
            olderBaselines = h.snapshot(1, 1);
        }
        try (var h =
                StateSnapshots.harness(
                        backend,
                        KeyBaselineSerializer.INSTANCE,
                        new KeyStateSerializer(
                                KeyStateSerializer.FORMAT_VERSION + 1,
                                KeyBaselineSerializer.INSTANCE))) {
            h.initializeState(olderBaselines);
            assertRefused(h);
        }
        try (var h = StateSnapshots.harness(backend)) {
            h.initializeState(olderBaselines);
            h.open();
            long t = 1_764_000_400_000L;
            LlmRequest spike = StateSnapshots.request(t, new Random(1));
            spike.latencyMs = 9000;
            h.processElement(new StreamRecord<>(Observation.of(spike), t));
            assertThat(h.extractOutputValues())
                    .filteredOn(a -> a.metric.equals("latency_ms"))
                    .singleElement()
                    .satisfies(
                            a -> assertThat(a.baselineSamples).isEqualTo(StateSnapshots.LEARNED));
        }
    }

    private static void assertRefused(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h) {
        // The heap backend resolves compatibility when the state is first accessed; RocksDB
        // when it is registered in open().
        assertThatThrownBy(
                        () -> {
                            h.open();
                            long t = 1_764_000_400_000L;
                            h.processElement(
                                    new StreamRecord<>(
                                            Observation.of(
                                                    StateSnapshots.request(t, new Random(1))),
                                            t));
                        })
                .satisfies(
                        e ->
                                assertThat(ExceptionUtils.stringifyException(e))
                                        .containsAnyOf(
                                                "incompatible",
                                                "Incompatible",
                                                "StateMigrationException"));
    }

    /**
     * 0.4's development kept a catch-up backlog of 20 requests (a 9 s spike among them) under the
     * earlier layout, with a timer per request: once the watermark passes them they are judged, in
     * event-time order, against the 300 values learned before.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void restoresABacklogWaitingForTheWatermark(String backend) throws Exception {
        try (var h =
                StateSnapshots.harness(
                        backend,
                        60_000,
                        KeyBaselineSerializer.INSTANCE,
                        KeyStateSerializer.INSTANCE)) {
            h.initializeState(read("backlog/0.4-dev-backlog-" + backend + ".snapshot"));
            h.open();
            h.setProcessingTime(1_764_000_000_000L + 86_400_000L);
            // 19 of the 20 waited: the first was at the watermark already, judged as it came
            assertThat(h.numEventTimeTimers()).as("the backlog's timers").isEqualTo(19);
            h.watermark(Long.MAX_VALUE - 1);
            assertThat(h.extractOutputValues())
                    .filteredOn(a -> a.metric.equals("latency_ms") && a.value == 9000)
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.baselineSamples)
                                        .isEqualTo(StateSnapshots.LEARNED + 10);
                                assertThat(a.eventTimeMs).isEqualTo(1_764_000_310_000L);
                            });
        }
    }

    static Stream<String> windowBaselineSnapshots() {
        return Stream.of(
                "windows/0.3-window-heap.snapshot",
                "windows/0.3-window-rocksdb.snapshot",
                "windows/0.4-dev-window-baseline-heap.snapshot",
                "windows/0.4-dev-window-baseline-rocksdb.snapshot");
    }

    static final List<String> DIMENSIONS = List.of("service", "model", "provider", "operation");

    static <OP extends OneInputStreamOperator<Observation, Observation>>
            KeyedOneInputStreamOperatorTestHarness<String, Observation, Observation> carryOver(
                    OP operator, String backend) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator,
                        new DimensionKeySelector.ForObservations(DIMENSIONS),
                        Types.STRING,
                        1,
                        1,
                        0);
        h.setStateBackend(StateSnapshots.backend(backend));
        return h;
    }

    /**
     * The windows' baselines of 0.3 (and of 0.4's development, format 4) are handed over at the
     * first watermark, then the carry-over holds nothing; the detection catches an error burst in
     * the first window after the restore, which a new baseline could not (window warm-up: 10).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("windowBaselineSnapshots")
    void windowBaselinesOfEarlierReleasesReachTheDetection(String file) throws Exception {
        String backend = backendOf(file);
        Observation carried;
        try (var h =
                carryOver(
                        new EarlierWindowBaselines(KeyedWindowsTest.SETTINGS.stateTtlMs()),
                        backend)) {
            h.initializeState(read(file));
            h.open();
            h.processWatermark(0);
            carried = h.extractOutputValues().stream().findFirst().orElseThrow();
            assertThat(h.extractOutputValues()).hasSize(1);
            OperatorSubtaskState after = h.snapshot(2, 2);
            try (var again =
                    carryOver(
                            new EarlierWindowBaselines(KeyedWindowsTest.SETTINGS.stateTtlMs()),
                            backend)) {
                again.initializeState(after);
                again.open();
                again.processWatermark(Long.MAX_VALUE - 1);
                assertThat(again.extractOutputValues()).as("handed over once").isEmpty();
            }
        }
        assertThat(carried.kind).isEqualTo(Observation.Kind.EARLIER_WINDOW_BASELINE);
        assertThat(carried.key).isEqualTo("support-bot|gpt-4o|openai|chat");
        KeyBaseline b = carried.windowBaseline;
        assertThat(b.peek(Metric.ERROR_RATE).count).isGreaterThanOrEqualTo(20);
        long next = b.lastWindowEndMs;

        for (boolean withCarried : new boolean[] {true, false}) {
            try (var h =
                    Harnesses.keyed(
                            new AnomalyDetectionFunction(
                                    KeyedWindowsTest.SETTINGS,
                                    io.llmsentinel.functions.alert.QuietStart.NONE),
                            new DimensionKeySelector.ForObservations(DIMENSIONS))) {
                h.setStateBackend(StateSnapshots.backend(backend));
                h.open();
                if (withCarried) {
                    h.processElement(new StreamRecord<>(carried, 0));
                }
                Random rnd = new Random(11);
                for (int i = 0; i < 610; i++) {
                    long t = next + i * 90L;
                    LlmRequest r = StateSnapshots.request(t, rnd);
                    r.provider = "openai";
                    r.operation = "chat";
                    r.error = i < 240; // 39% errors instead of about 0.6%
                    h.processElement(new StreamRecord<>(Observation.of(r), t));
                }
                h.watermark(next + 60_000 - 1);
                var errorRate =
                        h.extractOutputValues().stream()
                                .filter(a -> a.metric.equals("error_rate"))
                                .toList();
                if (withCarried) {
                    assertThat(errorRate)
                            .singleElement()
                            .satisfies(a -> assertThat(a.eventTimeMs).isEqualTo(next + 59_999));
                } else {
                    assertThat(errorRate).as("a new baseline is still warming up").isEmpty();
                }
            }
        }
    }

    /**
     * An open window's counts (600 requests, 6 failed) kept by the window operator of 0.4's
     * development reach the detection when event time reaches the window's end: with 300 more
     * requests after the restore, the window counts 900, the usual rate; without the carry-over it
     * would count 300 and be judged a throughput drop. (The 40 windows before are given as counts,
     * the way an earlier release's windows arrive.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void openWindowsOfEarlierReleasesAreJudgedWhole(String backend) throws Exception {
        Observation carried;
        try (var h = carryOver(new EarlierWindowCounts(), backend)) {
            h.initializeState(read("windows/0.4-dev-window-counts-" + backend + ".snapshot"));
            h.open();
            assertThat(h.numEventTimeTimers()).as("the window's timer").isEqualTo(1);
            h.processWatermark(1_764_000_090_000L);
            assertThat(h.extractOutputValues()).as("not before the window's end").isEmpty();
            h.processWatermark(1_764_000_119_999L);
            carried = h.extractOutputValues().stream().findFirst().orElseThrow();
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.numEventTimeTimers()).isZero();
        }
        // In the job the open windows reach the detection through the carry-over of the window
        // baselines (the two are chained): it passes them on.
        try (var h =
                carryOver(
                        new EarlierWindowBaselines(KeyedWindowsTest.SETTINGS.stateTtlMs()),
                        backend)) {
            h.open();
            h.processElement(new StreamRecord<>(carried, 1_764_000_119_999L));
            assertThat(h.extractOutputValues())
                    .as("passed on")
                    .singleElement()
                    .satisfies(
                            o -> {
                                assertThat(o.kind).isEqualTo(Observation.Kind.EARLIER_WINDOW);
                                assertThat(o.key).isEqualTo(carried.key);
                                assertThat(o.window.requests).isEqualTo(carried.window.requests);
                            });
        }
        assertThat(carried.kind).isEqualTo(Observation.Kind.EARLIER_WINDOW);
        assertThat(carried.key).isEqualTo("support-bot|gpt-4o|openai|chat");
        assertThat(carried.window.windowStartMs).isEqualTo(1_764_000_060_000L);
        assertThat(carried.window.requests).isEqualTo(600);
        assertThat(carried.window.errors).isEqualTo(6);
        assertThat(carried.window.costUsd)
                .isCloseTo(2.4, org.assertj.core.data.Offset.offset(1e-9));

        long start = carried.window.windowStartMs;
        for (boolean withCarried : new boolean[] {true, false}) {
            try (var h =
                    Harnesses.keyed(
                            new AnomalyDetectionFunction(
                                    KeyedWindowsTest.SETTINGS,
                                    io.llmsentinel.functions.alert.QuietStart.NONE),
                            new DimensionKeySelector.ForObservations(DIMENSIONS))) {
                h.setStateBackend(StateSnapshots.backend(backend));
                h.open();
                // 40 minutes of about 900 requests (as counts: a request each would only slow the
                // test down), the usual rate the window after the restore is judged against
                Random rnd = new Random(12);
                for (int m = 40; m > 0; m--) {
                    WindowStats w = new WindowStats();
                    w.windowStartMs = start - m * 60_000L;
                    w.windowEndMs = w.windowStartMs + 60_000;
                    w.merge(carried.window);
                    w.requests = 895 + rnd.nextInt(10);
                    w.errors = rnd.nextInt(8);
                    w.costUsd = w.requests * 0.004;
                    w.costKnown = w.requests;
                    h.processElement(
                            new StreamRecord<>(
                                    Observation.earlierWindow(carried.key, w), w.windowStartMs));
                    h.watermark(w.windowEndMs - 1);
                }
                h.getOutput().clear();
                if (withCarried) {
                    h.processElement(new StreamRecord<>(carried, start + 59_999));
                }
                for (int i = 0; i < 300; i++) {
                    h.processElement(
                            new StreamRecord<>(
                                    Observation.of(request(start + 30_000 + i * 90L, rnd)),
                                    start + 30_000));
                }
                h.watermark(start + 60_000 - 1);
                var drops =
                        h.extractOutputValues().stream()
                                .filter(a -> a.metric.equals("request_rate"))
                                .toList();
                if (withCarried) {
                    assertThat(drops).isEmpty();
                } else {
                    assertThat(drops)
                            .singleElement()
                            .satisfies(a -> assertThat(a.anomalyType).isEqualTo("throughput_drop"));
                }
            }
        }
    }

    private static LlmRequest request(long t, Random rnd) {
        LlmRequest r = StateSnapshots.request(t, rnd);
        r.provider = "openai";
        r.operation = "chat";
        r.costUsd = 0.004;
        return r;
    }
}
