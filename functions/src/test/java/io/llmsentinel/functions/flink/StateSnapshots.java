package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.model.LlmRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * Writes a snapshot of the detection function's state (300 requests of one key learned, its windows
 * counted and judged), in the current layout and format, into the test resources, as
 * flink-connector-kafka's migration tests do; {@link StateCompatibilityTest} restores every stored
 * one. Run once per release whose state format changed:
 *
 * <pre>
 *   scripts/state-snapshot.sh 0.2     (writes src/test/resources/state-snapshots/0.2-*.snapshot)
 * </pre>
 */
public final class StateSnapshots {
    private StateSnapshots() {}

    static final String KEY_SERVICE = "support-bot";
    static final int LEARNED = 300;

    static KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> harness(
            String backend) throws Exception {
        return harness(backend, KeyBaselineSerializer.INSTANCE, KeyStateSerializer.INSTANCE);
    }

    /** With the given serializers of the earlier layout's and the current layout's state. */
    static KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> harness(
            String backend, KeyBaselineSerializer earlier, KeyStateSerializer current)
            throws Exception {
        return harness(backend, 0, earlier, current);
    }

    static KeyedBroadcastOperatorTestHarness<String, Observation, String, Anomaly> harness(
            String backend,
            long catchUpLagMs,
            KeyBaselineSerializer earlier,
            KeyStateSerializer current)
            throws Exception {
        var h =
                Harnesses.keyed(
                        new AnomalyDetectionFunction(
                                DetectionSettings.defaults(),
                                QuietStart.NONE,
                                catchUpLagMs,
                                earlier,
                                current),
                        new DimensionKeySelector.ForObservations(List.of("service", "model")));
        h.setStateBackend(backend(backend));
        return h;
    }

    static StateBackend backend(String name) {
        return name.equals("rocksdb")
                ? new EmbeddedRocksDBStateBackend()
                : new HashMapStateBackend();
    }

    /** An ordinary request of the snapshot's key: about 1.2 s, 900 tokens. */
    static LlmRequest request(long t, Random rnd) {
        LlmRequest r = new LlmRequest();
        r.eventTimeMs = t;
        r.service = KEY_SERVICE;
        r.model = "gpt-4o";
        r.provider = "openai";
        r.operation = "chat";
        r.latencyMs = 1200 * Math.exp(0.2 * rnd.nextGaussian());
        r.ttftMs = 350 * Math.exp(0.2 * rnd.nextGaussian());
        r.inputTokens = Math.round(700 * Math.exp(0.2 * rnd.nextGaussian()));
        r.outputTokens = Math.round(200 * Math.exp(0.2 * rnd.nextGaussian()));
        r.costUsd = (r.inputTokens * 2.5 + r.outputTokens * 10) / 1e6;
        r.spanId = "span-" + t;
        return r;
    }

    public static void main(String[] args) throws Exception {
        String version = args[0];
        Path dir = Path.of(args.length > 1 ? args[1] : "src/test/resources/state-snapshots");
        Files.createDirectories(dir);
        for (String backend : new String[] {"heap", "rocksdb"}) {
            try (var h = harness(backend)) {
                h.open();
                Random rnd = new Random(42);
                for (int i = 0; i < LEARNED; i++) {
                    long t = 1_764_000_000_000L + i * 1000L;
                    h.processElement(new StreamRecord<>(Observation.of(request(t, rnd)), t));
                }
                OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
                Path file = dir.resolve(version + "-" + backend + ".snapshot");
                OperatorSnapshotUtil.writeStateHandle(snapshot, file.toString());
                System.out.println("wrote " + file);
            }
        }
    }
}
