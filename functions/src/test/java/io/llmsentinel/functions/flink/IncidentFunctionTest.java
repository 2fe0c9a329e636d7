package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertLinks;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.functions.incident.IncidentGrouping;
import io.llmsentinel.functions.incident.IncidentGroupingTest;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The incident grouping in Flink: one opening, an update and a resolution across a restore. */
class IncidentFunctionTest {

    static KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, IncidentEvent> harness(
            String backend) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, IncidentEvent>(
                        new KeyedProcessOperator<>(
                                new IncidentFunction(
                                        new IncidentGrouping(2_000, 60_000, AlertLinks.NONE),
                                        86_400_000)),
                        e -> IncidentFunction.groupKey(e, false, false),
                        Types.STRING);
        h.setStateBackend(AnomalyDetectionFunctionTest.backend(backend));
        return h;
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, IncidentEvent> h,
            String id,
            AlertEvent.State state,
            String metric,
            String sev,
            long t)
            throws Exception {
        h.processElement(
                new StreamRecord<>(IncidentGroupingTest.alert(id, state, metric, sev, t), t));
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void opensUpdatesAndResolvesAcrossASnapshotAndRestore(String backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            h.setProcessingTime(1_000);
            send(h, "a1", AlertEvent.State.OPENED, "latency_ms", "high", 100_000);
            send(h, "a2", AlertEvent.State.OPENED, "ttft_ms", "medium", 100_200);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            h.setProcessingTime(3_000);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.state + "/" + e.alerts.length)
                    .containsExactly("OPENED/2");
            send(h, "a3", AlertEvent.State.OPENED, "cost_usd", "critical", 120_000);
            snapshot = h.snapshot(1, 4_000);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(63_000); // the update interval after the opening
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.state + "/" + e.severity + "/" + e.alerts.length)
                    .containsExactly("UPDATED/critical/3");
            for (String id : new String[] {"a1", "a2", "a3"}) {
                send(h, id, AlertEvent.State.RESOLVED, "latency_ms", "high", 400_000);
            }
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.state + "#" + e.sequence)
                    .containsExactly("UPDATED#1", "RESOLVED#2");
        }
    }
}
