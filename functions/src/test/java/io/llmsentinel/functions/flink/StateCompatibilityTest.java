package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.LlmRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stored state snapshot of a released format (src/test/resources/state-snapshots, written by
 * {@link StateSnapshots}) restores into the current detection function with its learned baselines:
 * a spike is caught right after the restore, with no new warm-up. And a serializer whose format
 * version was bumped without a migration is refused, not silently misread.
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
        assertThat(files).as("stored snapshots in %s", DIR).isNotEmpty();
        return files.stream();
    }

    private static String backendOf(String file) {
        return file.contains("rocksdb") ? "rocksdb" : "heap";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snapshots")
    void restoresLearnedBaselinesWithoutANewWarmup(String file) throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(DIR.resolve(file).toString());
        try (var h = StateSnapshots.harness(backendOf(file), KeyBaselineSerializer.INSTANCE)) {
            h.initializeState(state);
            h.open();
            Random rnd = new Random(7);
            long t = 1_764_000_400_000L;
            h.processElement(new StreamRecord<>(StateSnapshots.request(t, rnd), t));
            LlmRequest spike = StateSnapshots.request(t + 1000, rnd);
            spike.latencyMs = 9000;
            h.processElement(new StreamRecord<>(spike, t + 1000));

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
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(DIR.resolve(file).toString());
        KeyBaselineSerializer bumped =
                new KeyBaselineSerializer(KeyBaselineSerializer.FORMAT_VERSION + 1);
        try (var h = StateSnapshots.harness(backendOf(file), bumped)) {
            h.initializeState(state);
            // The heap backend resolves compatibility when the state is first accessed; RocksDB
            // when it is registered in open().
            assertThatThrownBy(
                            () -> {
                                h.open();
                                long t = 1_764_000_400_000L;
                                h.processElement(
                                        new StreamRecord<>(
                                                StateSnapshots.request(t, new Random(1)), t));
                            })
                    .satisfies(
                            e ->
                                    assertThat(ExceptionUtils.stringifyException(e))
                                            .containsAnyOf(
                                                    "incompatible",
                                                    "Incompatible",
                                                    "StateMigrationException"));
        }
    }
}
