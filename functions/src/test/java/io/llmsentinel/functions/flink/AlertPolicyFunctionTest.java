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
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AlertPolicyFunctionTest {

    /** 3 of 10 within 60 s, no minimum span; one critical anomaly opens at once. */
    static final AlertPolicy POLICY =
            new AlertPolicy(
                    Map.of(), new AlertSettings(3, 10, 0, 60_000, Severity.CRITICAL, 120_000));

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
            send(h, anomaly("a", 1_000, "medium", 0b1)); // one value: evidence only
            send(h, anomaly("a", 1_500, "medium", 0b11));
            send(h, anomaly("a", 2_000, "medium", 0b111)); // three of ten: opens
            send(h, anomaly("a", 3_000, "medium", 0b1111)); // repeat: counted
            send(h, anomaly("b", 3_500, "critical", 0b1)); // another key: opens at once
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.service + ":" + e.state)
                    .containsExactly("a:OPENED", "b:OPENED");
            if (backend.equals("heap")) { // RocksDB cannot count its entries
                assertThat(Harnesses.stateEntries(h)).isEqualTo(2);
            }
            assertThat(h.numEventTimeTimers()).as("one timer per key and metric").isEqualTo(2);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            // After the restore, three high anomalies escalate.
            send(h, anomaly("a", 58_000, "high", 0b1_1111));
            send(h, anomaly("a", 59_000, "high", 0b11_1111));
            send(h, anomaly("a", 60_000, "high", 0b111_1111));
            h.watermark(123_499); // b: 3.5 s + 120 s not yet reached
            h.watermark(123_500); // b resolves; a's timer re-arms for 180 s
            h.watermark(180_000); // a resolves: 60 s + 120 s
            List<AlertEvent> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(e -> e.service + ":" + e.state)
                    .containsExactly("a:ESCALATED", "b:RESOLVED", "a:RESOLVED");
            AlertEvent resolvedA = out.get(2);
            assertThat(resolvedA.alertId).isEqualTo("a-2000");
            assertThat(resolvedA.repeats).isEqualTo(3);
            assertThat(resolvedA.severity).isEqualTo("high");
            assertThat(resolvedA.durationMs()).isEqualTo(58_000);
            if (backend.equals("heap")) {
                assertThat(Harnesses.stateEntries(h)).isZero();
            }
        }
    }

    /** An open alert kept by 0.3 (state format 1) restores and resolves at its time. */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void restoresA03OpenAlert(String backend) throws Exception {
        OperatorSubtaskState old =
                OperatorSnapshotUtil.readStateHandle(
                        Path.of("src/test/resources/state-snapshots/alerts")
                                .resolve("0.3-alert-policy-" + backend + ".snapshot")
                                .toString());
        try (var h = harness(backend)) {
            h.initializeState(old);
            h.open();
            assertThat(h.numEventTimeTimers()).as("0.3's resolution timer").isEqualTo(1);
            Anomaly later = anomaly("support-bot", 1_764_000_010_000L, "high", 0b1111);
            later.provider = "openai";
            later.operation = "chat";
            // The same key and metric: a repeat of the open alert, not yet persistent evidence
            // (0.3 kept no evidence), so the alert resolves 120 s after its last one.
            send(h, later);
            h.watermark(1_764_000_130_000L);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.alertId + ":" + e.state + "@" + e.eventTimeMs)
                    .containsExactly("0.3-open-alert-2:RESOLVED@1764000122000");
        }
    }

    /**
     * A quiet hour: the control input is idle (the job declares it so: commands carry no event
     * time) and then the telemetry input goes idle too. Nothing may happen: the open alert stays
     * open and event time stands still, instead of running to the end of time (which resolved every
     * alert at once and left later ones never resolving). When telemetry resumes, the alert
     * resolves at its own time.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aQuietHourNeitherResolvesAlertsNorMovesEventTime(String backend) throws Exception {
        try (var h = harness(backend)) {
            h.open();
            TwoInputStreamOperator<Anomaly, String, AlertEvent> op = h.getTwoInputOperator();
            op.processWatermarkStatus2(WatermarkStatus.IDLE);
            send(h, anomaly("a", 1_000, "medium", 0b1));
            send(h, anomaly("a", 1_500, "medium", 0b11));
            send(h, anomaly("a", 2_000, "medium", 0b111)); // opens; resolves at 122 s
            h.watermark(2_000);
            op.processWatermarkStatus1(WatermarkStatus.IDLE); // the telemetry goes quiet
            h.processBroadcastElement(
                    command(
                            "s1",
                            "2026-12-02T10:00:00Z",
                            "\"type\":\"silence\",\"match\":{\"service\":\"z\"},\"until\":\"2026-12-02T11:00:00Z\""),
                    3_000);

            assertThat(h.extractOutputValues())
                    .extracting(e -> e.state)
                    .containsExactly(AlertEvent.State.OPENED);
            assertThat(h.getOutput())
                    .filteredOn(o -> o instanceof Watermark)
                    .extracting(o -> ((Watermark) o).getTimestamp())
                    .allMatch(t -> t <= 2_000);

            op.processWatermarkStatus1(WatermarkStatus.ACTIVE); // it resumes
            h.watermark(121_999);
            assertThat(h.extractOutputValues()).hasSize(1);
            h.watermark(122_000);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.state + "@" + e.eventTimeMs)
                    .containsExactly("OPENED@2000", "RESOLVED@122000");
        }
    }

    /**
     * A silence and a maintenance window may share an id: each is kept under its kind, both survive
     * a snapshot and restore, and lifting the silence leaves the maintenance window in force. A
     * command kept by 0.3 under its bare id is moved to its kind and id by the next command.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void commandsOfDifferentKindsWithOneIdAreKeptApartAcrossARestore(String backend)
            throws Exception {
        long t0 = java.time.Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
        String silence =
                command(
                        "x",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"silence\",\"match\":{\"service\":\"a\"},\"until\":\"2099-01-01T00:00:00Z\"");
        String maintenance =
                command(
                        "x",
                        "2026-12-02T10:00:01Z",
                        "\"type\":\"maintenance\",\"match\":{\"service\":\"b\"},\"from\":\"2026-01-01T00:00:00Z\",\"until\":\"2099-01-01T00:00:00Z\"");
        String legacy =
                command(
                        "old",
                        "2026-12-01T10:00:00Z",
                        "\"type\":\"silence\",\"match\":{\"service\":\"c\"},\"until\":\"2099-01-01T00:00:00Z\"");
        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            var kept =
                    ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>)
                                    h.getTwoInputOperator())
                            .getOperatorStateBackend()
                            .getBroadcastState(ControlBroadcast.STATE);
            kept.put("old", legacy); // as 0.3 kept it
            h.processBroadcastElement(silence, t0);
            h.processBroadcastElement(maintenance, t0);
            List<String> keys = new java.util.ArrayList<>();
            kept.entries().forEach(e -> keys.add(e.getKey()));
            assertThat(keys).containsExactlyInAnyOrder("silence:x", "maintenance:x", "silence:old");
            snapshot = h.snapshot(1, t0);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            h.processBroadcastElement(
                    command("u", "2026-12-02T10:01:00Z", "\"type\":\"unsilence\",\"target\":\"x\""),
                    t0);
            for (String service : List.of("a", "b", "c")) {
                send(h, anomaly(service, t0 + 5_000, "critical", 0b1));
            }
            assertThat(h.extractOutputValues())
                    .as("a's silence lifted; b in maintenance; c silenced since 0.3")
                    .extracting(e -> e.service)
                    .containsExactly("a");
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
