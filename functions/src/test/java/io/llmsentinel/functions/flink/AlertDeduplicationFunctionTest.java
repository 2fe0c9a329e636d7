package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.anomaly.Anomaly;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AlertDeduplicationFunctionTest {

    static KeyedOneInputStreamOperatorTestHarness<String, Anomaly, Anomaly> harness(String backend)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AlertDeduplicationFunction(300_000)),
                        AlertDeduplicationFunction::dedupKey,
                        Types.STRING);
        h.setStateBackend(AnomalyDetectionFunctionTest.backend(backend));
        return h;
    }

    static Anomaly anomaly(String service, String metric, long t, String severity) {
        Anomaly a = new Anomaly();
        a.service = service;
        a.model = "gpt-4o";
        a.metric = metric;
        a.anomalyType = metric + "_spike";
        a.eventTimeMs = t;
        a.severity = severity;
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void deduplicatesPerKeyMetricAndTypeAndSurvivesRestore(String backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(backend)) {
            h.open();
            h.processElement(new StreamRecord<>(anomaly("a", "latency_ms", 0, "low")));
            h.processElement(new StreamRecord<>(anomaly("a", "latency_ms", 1000, "low")));
            h.processElement(new StreamRecord<>(anomaly("a", "cost_usd", 1000, "low")));
            h.processElement(new StreamRecord<>(anomaly("b", "latency_ms", 1000, "low")));
            assertThat(h.extractOutputValues()).hasSize(3);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(backend)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(anomaly("a", "latency_ms", 2000, "low")));
            Anomaly after = anomaly("a", "latency_ms", 301_000, "low");
            h.processElement(new StreamRecord<>(after));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.eventTimeMs).isEqualTo(301_000);
                                assertThat(a.suppressedBefore).isEqualTo(2);
                            });
        }
    }
}
