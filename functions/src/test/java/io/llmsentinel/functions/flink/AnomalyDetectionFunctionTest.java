package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.model.LlmRequest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The keyed detection function on the heap and on the RocksDB state backend. */
class AnomalyDetectionFunctionTest {

    private static final DetectionSettings SETTINGS =
            new DetectionSettings(
                    Map.of(
                            Metric.LATENCY_MS, DetectionSettings.defaultsFor(Metric.LATENCY_MS),
                            Metric.TOTAL_TOKENS,
                                    DetectionSettings.defaultsFor(Metric.TOTAL_TOKENS)),
                    60_000,
                    10,
                    3,
                    60_000,
                    25);

    static StateBackend backend(String name) {
        return name.equals("rocksdb")
                ? new EmbeddedRocksDBStateBackend()
                : new HashMapStateBackend();
    }

    static KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> harness(
            String backend) throws Exception {
        var h =
                Harnesses.keyed(
                        new AnomalyDetectionFunction(SETTINGS, QuietStart.NONE),
                        (Observation o) -> o.request.service + "|" + o.request.model);
        h.setStateBackend(backend(backend));
        return h;
    }

    static LlmRequest request(long t, double latencyMs) {
        LlmRequest r = new LlmRequest();
        r.eventTimeMs = t;
        r.service = "support-bot";
        r.model = "gpt-4o";
        r.provider = "openai";
        r.operation = "chat";
        r.latencyMs = latencyMs;
        r.inputTokens = 500;
        r.outputTokens = 100;
        r.spanId = "span-" + t;
        return r;
    }

    /** Normal latencies around 1000 ms. */
    static void feedNormal(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h,
            Random rnd,
            long from,
            int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            long t = from + i;
            h.processElement(
                    new StreamRecord<>(
                            Observation.of(request(t, 1000 + 50 * rnd.nextGaussian())), t));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void firesOnLatencySpikeAfterWarmup(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            feedNormal(h, new Random(7), 1_700_000_000_000L, 40);
            h.processElement(
                    new StreamRecord<>(
                            Observation.of(request(1_700_000_001_000L, 5000)), 1_700_000_001_000L));

            List<Anomaly> out = h.extractOutputValues();
            assertThat(out)
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.metric).isEqualTo("latency_ms");
                                assertThat(a.anomalyType).isEqualTo("latency_spike");
                                assertThat(a.service).isEqualTo("support-bot");
                                assertThat(a.model).isEqualTo("gpt-4o");
                                assertThat(a.value).isEqualTo(5000);
                                assertThat(a.baselineMedian).isBetween(950.0, 1050.0);
                                assertThat(a.baselineSamples).isEqualTo(40);
                                assertThat(a.detectors)
                                        .extracting(f -> f.detector)
                                        .contains("zscore", "iqr", "mad");
                                assertThat(a.anomalyId).hasSize(32);
                                assertThat(a.severity).isEqualTo("critical");
                            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void emitsEachMetricsLiveBaselineEveryFewValues(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            feedNormal(h, new Random(9), 1_700_000_000_000L, 60);

            var baselines = h.getSideOutput(AnomalyDetectionFunction.BASELINES);
            // Two metrics, each after its 25th and 50th value.
            assertThat(baselines).hasSize(4);
            var latest =
                    baselines.stream()
                            .map(r -> r.getValue())
                            .filter(b -> b.metric.equals("latency_ms") && b.samples == 50)
                            .findFirst()
                            .orElseThrow();
            assertThat(latest.service).isEqualTo("support-bot");
            assertThat(latest.model).isEqualTo("gpt-4o");
            assertThat(latest.eventTimeMs).isEqualTo(1_700_000_000_049L);
            assertThat(latest.median).isBetween(950.0, 1050.0);
            assertThat(latest.mean).isBetween(950.0, 1050.0);
            assertThat(latest.stddev).isBetween(25.0, 80.0);
            assertThat(latest.q1).isLessThan(latest.median);
            assertThat(latest.q3).isGreaterThan(latest.median);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void staysSilentBeforeWarmup(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            feedNormal(h, new Random(7), 1_700_000_000_000L, 20);
            h.processElement(
                    new StreamRecord<>(
                            Observation.of(request(1_700_000_001_000L, 5000)), 1_700_000_001_000L));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void restoredStateGivesTheSameDecisionsAsUninterruptedState(String backend) throws Exception {
        List<Anomaly> uninterrupted;
        try (var h = harness(backend)) {
            h.open();
            feedNormal(h, new Random(3), 1_700_000_000_000L, 40);
            feedSpikes(h);
            uninterrupted = h.extractOutputValues();
        }

        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            feedNormal(h, new Random(3), 1_700_000_000_000L, 40);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness(backend)) {
            restored.initializeState(snapshot);
            restored.open();
            feedSpikes(restored);
            List<Anomaly> afterRestore = restored.extractOutputValues();

            assertThat(uninterrupted).isNotEmpty();
            assertThat(afterRestore)
                    .extracting(a -> a.anomalyId + "/" + a.value + "/" + a.baselineMean)
                    .containsExactlyElementsOf(
                            uninterrupted.stream()
                                    .map(a -> a.anomalyId + "/" + a.value + "/" + a.baselineMean)
                                    .toList());
        }
    }

    private static void feedSpikes(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h)
            throws Exception {
        long t = 1_700_000_002_000L;
        for (double v : new double[] {1010, 4000, 990, 6000, 1000}) {
            h.processElement(new StreamRecord<>(Observation.of(request(t, v)), t));
            t++;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void forgetsKeysThatGoQuiet(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            h.setStateTtlProcessingTime(0);
            // The same history after which firesOnLatencySpikeAfterWarmup sees its spike.
            feedNormal(h, new Random(7), 1_700_000_000_000L, 40);
            if (backend.equals("heap")) { // RocksDB cannot count its entries in the harness
                assertThat(Harnesses.stateEntries(h)).isEqualTo(1);
            }

            h.setStateTtlProcessingTime(SETTINGS.stateTtlMs() + 1);
            // An expired baseline is not returned: the key starts a fresh warm-up.
            h.processElement(
                    new StreamRecord<>(
                            Observation.of(request(1_700_000_009_000L, 5000)), 1_700_000_009_000L));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    /**
     * In a maintenance window a key's values are judged but not learned: its baselines are the same
     * before and after; a rule raising the z threshold lets a spike that would fire pass.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void maintenanceFreezesBaselinesAndRulesChangeThresholdsAtOnce(String backend)
            throws Exception {
        long t0 = 1_700_000_000_000L;
        try (var h = harness(backend)) {
            h.open();
            h.setProcessingTime(java.time.Instant.parse("2026-12-02T10:10:00Z").toEpochMilli());
            feedNormal(h, new Random(7), t0, 40);
            h.processBroadcastElement(
                    AlertPolicyFunctionTest.command(
                            "m1",
                            "2026-12-02T10:00:00Z",
                            "\"type\":\"maintenance\",\"match\":{\"service\":\"support-bot\"},"
                                    + "\"from\":\"2026-12-02T10:00:00Z\",\"until\":\"2026-12-02T11:00:00Z\""),
                    0);
            // a load test: slow requests, not learned
            for (int i = 0; i < 30; i++) {
                h.processElement(
                        new StreamRecord<>(
                                Observation.of(request(t0 + 100 + i, 4000)), t0 + 100 + i));
            }
            h.getOutput().clear();
            h.processBroadcastElement(
                    AlertPolicyFunctionTest.command(
                            "e1",
                            "2026-12-02T10:11:00Z",
                            "\"type\":\"end_maintenance\",\"target\":\"m1\""),
                    0);
            h.processElement(
                    new StreamRecord<>(Observation.of(request(t0 + 1_000, 5000)), t0 + 1_000));
            List<Anomaly> after = h.extractOutputValues();
            assertThat(after)
                    .as("the baseline did not learn the maintenance traffic")
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.baselineSamples).isEqualTo(40);
                                assertThat(a.baselineMedian).isBetween(950.0, 1050.0);
                            });

            h.getOutput().clear();
            h.processBroadcastElement(
                    AlertPolicyFunctionTest.command(
                            "r1",
                            "2026-12-02T10:12:00Z",
                            "\"type\":\"rule\",\"match\":{\"service\":\"support-bot\",\"metric\":\"latency_ms\"},"
                                    + "\"settings\":{\"zscore.threshold\":1000,\"iqr.k\":1000,\"mad.threshold\":1000,\"cusum.decision\":1000}"),
                    0);
            h.processElement(
                    new StreamRecord<>(Observation.of(request(t0 + 2_000, 5000)), t0 + 2_000));
            assertThat(h.extractOutputValues())
                    .as("under the rule the same spike does not fire")
                    .isEmpty();
        }
    }

    /**
     * A backlog read from two partitions at different speeds (one far ahead of the other) gives the
     * same anomalies as the same requests in event-time order: they wait for the watermark, then
     * each key judges them in event-time order. Both backends; the backlog survives a snapshot.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aBacklogIsJudgedInEventTimeOrderWhateverOrderThePartitionsAreReadIn(String backend)
            throws Exception {
        List<LlmRequest> all = series(9, 400, 430);
        List<String> inOrder = backlogRun(backend, all);
        // Partition A holds the even requests, B the odd ones; A is read first, wholly.
        List<LlmRequest> skewed = new java.util.ArrayList<>();
        for (int i = 0; i < all.size(); i += 2) {
            skewed.add(all.get(i));
        }
        for (int i = 1; i < all.size(); i += 2) {
            skewed.add(all.get(i));
        }
        assertThat(backlogRun(backend, skewed)).isNotEmpty().isEqualTo(inOrder);
    }

    /**
     * Requests that come live while the key still has a backlog before them wait for it: judged
     * after it, against the baseline that learned it, they give what the whole input in order gives
     * (judged at once, they would meet a baseline that has not seen the backlog yet).
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void liveRequestsAfterABacklogWaitForIt(String backend) throws Exception {
        List<LlmRequest> all = series(9, 500, 530); // an incident in the live part
        List<String> ids;
        try (var h = backlogHarness(backend)) {
            h.open();
            h.setProcessingTime(T0 + 450_000 + 60_000); // the first 450 s are a backlog
            send(h, all);
            assertThat(h.extractOutputValues())
                    .as("the live requests wait for the backlog before them")
                    .isEmpty();
            ids = idsAtTheEnd(h);
        }
        assertThat(ids).isNotEmpty().isEqualTo(backlogRun(backend, all));
    }

    /**
     * The live requests that waited behind a backlog are judged when it is, before any newer one:
     * left to their own timers (up to the out-of-orderness away), a request arriving meanwhile went
     * straight on ahead of them, and the baseline learned the key out of order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void liveRequestsThatWaitedBehindABacklogGoBeforeNewerOnes(String backend) throws Exception {
        // an incident across the waiting and the newer live requests
        List<LlmRequest> all = series(11, 530, 570);
        List<String> ids;
        try (var h = backlogHarness(backend)) {
            h.open();
            h.setProcessingTime(T0 + 450_000 + 60_000); // the first 450 s are a backlog
            send(h, all.subList(0, 550));
            h.watermark(T0 + 449_000); // the backlog's end: judged; 450..549 waited behind it
            send(h, all.subList(550, 600));
            ids = idsAtTheEnd(h);
        }
        assertThat(ids).isNotEmpty().isEqualTo(backlogRun(backend, all));
    }

    /**
     * Once a key's backlog is judged, its live requests go straight on, also after a restore (when
     * the watermark starts again from nothing).
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aJudgedBacklogHoldsNothingBackAfterARestore(String backend) throws Exception {
        Random rnd = new Random(10);
        long t0 = 1_000_000;
        OperatorSubtaskState judged;
        try (var h = backlogHarness(backend)) {
            h.open();
            h.setProcessingTime(t0 + 450_000 + 60_000); // the 400 s below are a backlog
            for (int i = 0; i < 400; i++) {
                LlmRequest r = request(t0 + i * 1000L, 1000 * Math.exp(0.3 * rnd.nextGaussian()));
                h.processElement(new StreamRecord<>(Observation.of(r), r.eventTimeMs));
            }
            h.watermark(t0 + 400_000);
            judged = h.snapshot(1, 1);
        }
        try (var h = backlogHarness(backend)) {
            h.initializeState(judged);
            h.open();
            h.setProcessingTime(t0 + 500_000);
            LlmRequest spike = request(t0 + 499_000, 20_000);
            h.processElement(new StreamRecord<>(Observation.of(spike), spike.eventTimeMs));
            assertThat(h.extractOutputValues())
                    .as("judged at once, no watermark needed")
                    .anySatisfy(a -> assertThat(a.eventTimeMs).isEqualTo(t0 + 499_000));
        }
    }

    static final long T0 = 1_000_000;

    /**
     * 600 requests of one key a second apart from {@link #T0}, lognormal latency, 6 times slower
     * from request {@code incidentFrom} to before {@code incidentTo}.
     */
    private static List<LlmRequest> series(long seed, int incidentFrom, int incidentTo) {
        Random rnd = new Random(seed);
        List<LlmRequest> all = new java.util.ArrayList<>();
        for (int i = 0; i < 600; i++) {
            double latency = 1000 * Math.exp(0.3 * rnd.nextGaussian());
            if (i >= incidentFrom && i < incidentTo) {
                latency *= 6;
            }
            all.add(request(T0 + i * 1000L, latency));
        }
        return all;
    }

    private static void send(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h,
            List<LlmRequest> requests)
            throws Exception {
        for (LlmRequest r : requests) {
            h.processElement(new StreamRecord<>(Observation.of(r), r.eventTimeMs));
        }
    }

    /** Event time to its end, then the ids of every anomaly the harness has put out. */
    private static List<String> idsAtTheEnd(
            KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> h)
            throws Exception {
        h.watermark(Long.MAX_VALUE);
        List<String> ids = new java.util.ArrayList<>();
        for (Anomaly a : h.extractOutputValues()) {
            ids.add(a.anomalyId);
        }
        return ids;
    }

    /** The detection with a minute of catch-up lag, on {@code backend}, not yet opened. */
    private static KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly>
            backlogHarness(String backend) throws Exception {
        var h =
                Harnesses.keyed(
                        new AnomalyDetectionFunction(SETTINGS, QuietStart.NONE, 60_000),
                        (Observation o) -> o.request.service + "|" + o.request.model);
        h.setStateBackend(backend(backend));
        return h;
    }

    /** The anomaly ids of a run whose requests are a backlog (far behind the clock). */
    private static List<String> backlogRun(String backend, List<LlmRequest> arrivals)
            throws Exception {
        OperatorSubtaskState mid;
        List<String> ids = new java.util.ArrayList<>();
        int half = arrivals.size() / 2;
        try (var h = backlogHarness(backend)) {
            h.open();
            h.setProcessingTime(1_000_000_000L); // long after the requests: a backlog
            send(h, arrivals.subList(0, half));
            assertThat(h.extractOutputValues()).as("nothing judged before the watermark").isEmpty();
            mid = h.snapshot(1, 1);
        }
        try (var h = backlogHarness(backend)) {
            h.initializeState(mid);
            h.open();
            h.setProcessingTime(1_000_000_000L);
            send(h, arrivals.subList(half, arrivals.size()));
            h.watermark(Long.MAX_VALUE);
            for (Anomaly a : h.extractOutputValues()) {
                ids.add(a.anomalyId);
            }
        }
        return ids;
    }
}
