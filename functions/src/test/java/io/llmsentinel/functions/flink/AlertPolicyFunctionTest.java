package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertSettings;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AlertPolicyFunctionTest {

    static final AlertPolicy POLICY =
            new AlertPolicy(Map.of(), new AlertSettings(3, 10, Severity.CRITICAL, 120_000));

    static KeyedBroadcastOperatorTestHarness<String, Anomaly, String, AlertEvent> harness(
            String backend) throws Exception {
        var h =
                Harnesses.keyed(
                        new AlertPolicyFunction(POLICY, 86_400_000), AlertPolicyFunction::alertKey);
        h.setStateBackend(AnomalyDetectionFunctionTest.backend(backend));
        return h;
    }

    static Anomaly anomaly(String service, long t, String severity, int recentVerdicts) {
        Anomaly a = new Anomaly();
        a.anomalyId = service + "-" + t;
        a.service = service;
        a.model = "gpt-4o";
        a.metric = Metric.LATENCY_MS.code();
        a.anomalyType = "latency_spike";
        a.eventTimeMs = t;
        a.detectedAtMs = t;
        a.severity = severity;
        a.recentVerdicts = recentVerdicts;
        a.value = 3000;
        a.score = 0.7;
        return a;
    }

    private static void send(
            KeyedBroadcastOperatorTestHarness<String, Anomaly, String, AlertEvent> h, Anomaly a)
            throws Exception {
        h.processElement(new StreamRecord<>(a, a.eventTimeMs));
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void opensEscalatesAndResolvesOnTheWatermarkAcrossARestore(String backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            send(h, anomaly("a", 1_000, "medium", 0b1)); // one value: nothing
            send(h, anomaly("a", 2_000, "medium", 0b111)); // three of ten: opens
            send(h, anomaly("a", 3_000, "medium", 0b1111)); // repeat: counted
            send(h, anomaly("b", 3_500, "critical", 0b1)); // another key: opens at once
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.service + ":" + e.state)
                    .containsExactly("a:OPENED", "b:OPENED");
            if (backend.equals("heap")) { // RocksDB cannot count its entries
                assertThat(Harnesses.stateEntries(h)).isEqualTo(2); // only open alerts have state
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            send(h, anomaly("a", 60_000, "high", 0b1_1111)); // escalates after the restore
            h.watermark(123_499); // b: 3.5 s + 120 s not yet reached
            h.watermark(123_500); // b resolves; a's timer (122 s) re-arms for 180 s
            h.watermark(180_000); // a resolves: 60 s + 120 s
            List<AlertEvent> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(e -> e.service + ":" + e.state)
                    .containsExactly("a:ESCALATED", "b:RESOLVED", "a:RESOLVED");
            AlertEvent resolvedA = out.get(2);
            assertThat(resolvedA.alertId).isEqualTo("a-2000");
            assertThat(resolvedA.repeats).isEqualTo(1);
            assertThat(resolvedA.severity).isEqualTo("high");
            assertThat(resolvedA.durationMs()).isEqualTo(58_000);
            if (backend.equals("heap")) {
                assertThat(Harnesses.stateEntries(h)).isZero();
            }
        }
    }

    /**
     * The policy runs in the operator slot (uid) of 0.2's deduplicator: a 0.2 savepoint, with the
     * deduplicator's state in it, restores, and the policy starts with no open alert.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void restoresA02SnapshotOfTheDeduplicatorItReplaced(String backend) throws Exception {
        OperatorSubtaskState old =
                OperatorSnapshotUtil.readStateHandle(
                        Path.of("src/test/resources/state-snapshots/alerts")
                                .resolve("0.2-alert-dedup-" + backend + ".snapshot")
                                .toString());
        try (var h = harness(backend)) {
            h.initializeState(old);
            h.open();
            send(h, anomaly("support-bot", 1_764_000_100_000L, "critical", 0b1));
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.state)
                    .containsExactly(AlertEvent.State.OPENED);
        }
    }

    static String command(String id, String at, String body) {
        return "{\"id\":\"" + id + "\",\"author\":\"ana\",\"time\":\"" + at + "\"," + body + "}";
    }

    /**
     * A silence of a service keeps its anomalies from opening alerts, at once and after a restore
     * of the broadcast state; lifting it lets them through; an unknown id is refused, dead-lettered
     * and audited; every applied command is audited once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void silencesTakeEffectAtOnceSurviveARestoreAndAreAudited(String backend) throws Exception {
        long t0 = java.time.Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
        String silence =
                command(
                        "s1",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"silence\",\"match\":{\"service\":\"a\"},\"until\":\"2026-12-02T11:00:00Z\"");
        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            h.processBroadcastElement(silence, t0);
            send(h, anomaly("a", t0 + 1_000, "critical", 0b1));
            send(h, anomaly("b", t0 + 1_000, "critical", 0b1));
            assertThat(h.extractOutputValues()).extracting(e -> e.service).containsExactly("b");
            assertThat(h.getSideOutput(AlertPolicyFunction.AUDIT))
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.getValue()).contains("\"record_type\":\"audit\"");
                                assertThat(r.getValue()).contains("\"outcome\":\"applied\"");
                                assertThat(r.getValue()).contains("silence s1 of service=a");
                            });
            snapshot = h.snapshot(1, t0 + 2_000);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            send(h, anomaly("a", t0 + 3_000, "critical", 0b1));
            assertThat(h.extractOutputValues()).as("still silenced after the restore").isEmpty();
            h.processBroadcastElement(
                    command(
                            "u1",
                            "2026-12-02T10:01:00Z",
                            "\"type\":\"unsilence\",\"target\":\"s1\""),
                    t0 + 4_000);
            h.processBroadcastElement(
                    command(
                            "u2",
                            "2026-12-02T10:02:00Z",
                            "\"type\":\"unsilence\",\"target\":\"s9\""),
                    t0 + 4_000);
            send(h, anomaly("a", t0 + 5_000, "critical", 0b1));
            assertThat(h.extractOutputValues()).extracting(e -> e.service).containsExactly("a");
            assertThat(h.getSideOutput(AlertPolicyFunction.REJECTED))
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.getValue().reason).isEqualTo("invalid_command");
                                assertThat(r.getValue().detail).contains("no silence 's9'");
                            });
            assertThat(h.getSideOutput(AlertPolicyFunction.AUDIT))
                    .extracting(r -> r.getValue())
                    .anySatisfy(j -> assertThat(j).contains("\"outcome\":\"refused\""));
        }
    }
}
