package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmsentinel.functions.alert.AlertLinks;
import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.incident.IncidentGrouping;
import io.llmsentinel.functions.incident.IncidentGroupingTest;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowInput;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No keyed state of the job's functions falls back to Kryo: each runs with generic types disabled
 * (as the job does, {@code pipeline.generic-types: false}), so a state whose type Flink could only
 * serialize with Kryo fails here when it is registered. The records between operators are checked
 * where the graph is built (SentinelJobTest).
 */
class NoGenericTypesTest {

    static void noGenericTypes(AbstractStreamOperatorTestHarness<?> h) {
        h.getExecutionConfig().disableGenericTypes();
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void theKeyedDetectionRegistersAndWritesItsStateWithoutKryo(String backend) throws Exception {
        try (var h =
                Harnesses.keyed(
                        new AnomalyDetectionFunction(
                                DetectionSettings.defaults(), QuietStart.NONE, 60_000),
                        new DimensionKeySelector.ForObservations(List.of("service", "model")))) {
            h.setStateBackend(StateSnapshots.backend(backend));
            noGenericTypes(h);
            h.open();
            h.setProcessingTime(1_764_100_000_000L);
            Random rnd = new Random(1);
            for (int i = 0; i < 40; i++) {
                long t = 1_764_000_000_000L + i * 5_000L;
                LlmRequest r = StateSnapshots.request(t, rnd);
                h.processElement(new StreamRecord<>(Observation.of(r), t)); // a backlog
            }
            WindowInput interval = new WindowInput();
            interval.service = StateSnapshots.KEY_SERVICE;
            interval.model = "gpt-4o";
            interval.eventTimeMs = 1_764_000_100_000L;
            interval.metricKind = 0;
            interval.metricCount = 3;
            h.processElement(new StreamRecord<>(Observation.of(interval), 0));
            h.watermark(1_764_000_400_000L);
            // registered, written and snapshotted without Kryo (which would have thrown)
            assertThat(h.snapshot(1, 1).getManagedKeyedState()).as("state written").isNotEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void theOtherKeyedFunctionsRegisterTheirStateWithoutKryo(String backend) throws Exception {
        try (var policy = AlertPolicyFunctionTest.harness(backend)) {
            noGenericTypes(policy);
            policy.open();
            for (int i = 0; i < 3; i++) {
                Anomaly a = AlertPolicyFunctionTest.anomaly("a", 1_000 + i * 3_000, "high", 0b111);
                policy.processElement(new StreamRecord<>(a, a.eventTimeMs));
            }
            policy.snapshot(1, 1);
        }
        try (var incidents =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new IncidentFunction(
                                        new IncidentGrouping(2_000, 60_000, AlertLinks.NONE),
                                        86_400_000)),
                        e -> IncidentFunction.groupKey(e, false, false),
                        Types.STRING)) {
            incidents.setStateBackend(StateSnapshots.backend(backend));
            noGenericTypes(incidents);
            incidents.open();
            incidents.processElement(
                    new StreamRecord<>(
                            IncidentGroupingTest.alert(
                                    "a1",
                                    io.llmsentinel.functions.alert.AlertEvent.State.OPENED,
                                    "latency_ms",
                                    "high",
                                    100_000),
                            100_000));
            incidents.snapshot(1, 1);
        }
        try (var deltas =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new MetricDeltasFunction(60_000)),
                        MetricDeltasFunction::lineage,
                        Types.STRING)) {
            deltas.setStateBackend(StateSnapshots.backend(backend));
            noGenericTypes(deltas);
            deltas.open();
            var p = MetricDeltasFunctionTest.point(1_764_000_000_000L, 1_764_000_060_000L, 5);
            deltas.processElement(new StreamRecord<>(p, p.timeMs));
            deltas.snapshot(1, 1);
        }
        for (var carryOver :
                List.of(
                        StateCompatibilityTest.carryOver(new EarlierWindowCounts(), backend),
                        StateCompatibilityTest.carryOver(
                                new EarlierWindowBaselines(86_400_000), backend))) {
            try (carryOver) {
                noGenericTypes(carryOver);
                carryOver.open();
                carryOver.processWatermark(1_764_000_000_000L);
                carryOver.snapshot(1, 1);
            }
        }
    }

    /** The check can fail: a state of a type only Kryo serializes is refused. */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aStateOfAGenericTypeIsRefused(String backend) {
        assertThatThrownBy(
                        () -> {
                            try (var h =
                                    new KeyedOneInputStreamOperatorTestHarness<>(
                                            new KeyedProcessOperator<>(new KeepsAnObject()),
                                            (String s) -> s,
                                            Types.STRING)) {
                                h.setStateBackend(StateSnapshots.backend(backend));
                                noGenericTypes(h);
                                h.open();
                                h.processElement(new StreamRecord<>("k", 1));
                            }
                        })
                .hasStackTraceContaining("Generic types have been disabled");
    }

    /** Keeps a java.lang.Object: a generic type. */
    static final class KeepsAnObject extends KeyedProcessFunction<String, String, String> {
        @Override
        public void processElement(String value, Context ctx, Collector<String> out)
                throws Exception {
            getRuntimeContext()
                    .getState(
                            new ValueStateDescriptor<>("object", TypeInformation.of(Object.class)))
                    .update(value);
        }
    }
}
