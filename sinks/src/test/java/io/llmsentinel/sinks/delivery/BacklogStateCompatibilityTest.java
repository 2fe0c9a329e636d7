package io.llmsentinel.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stored writer-state snapshot (src/test/resources/outbox-state, written by {@link
 * BacklogStateSnapshots}) restores into the current InfluxDB sink in Flink's sink writer operator,
 * and the points its backlog held reach the server once it is back: an upgrade loses no record an
 * output had not delivered. And the current format keeps each record's write time through a
 * checkpoint, so give-up-after counts from the write, not from the restore.
 */
class BacklogStateCompatibilityTest {

    static Stream<String> snapshots() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(BacklogStateSnapshots.DIR)) {
            files =
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".snapshot"))
                            .sorted()
                            .toList();
        }
        assertThat(files).as("stored snapshots in %s", BacklogStateSnapshots.DIR).isNotEmpty();
        return files.stream();
    }

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        BacklogStateSnapshots.DEAD_LETTERS.clear();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snapshots")
    void theRestoredBacklogIsDelivered(String file) throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(
                        BacklogStateSnapshots.DIR.resolve(file).toString());
        List<String> stored = new CopyOnWriteArrayList<>();
        server = BacklogStateSnapshots.influx(stored);
        String host = "http://127.0.0.1:" + server.getAddress().getPort();
        var sink = BacklogStateSnapshots.sink(host, TestBacklogs.settings("anomalies", 10));
        try (var h =
                BacklogStateSnapshots.harness(
                        sink, file.contains("rocksdb") ? "rocksdb" : "heap")) {
            h.initializeState(state);
            h.open();
            h.endInput(); // a bounded end: drains the backlog, with a deadline
        }
        assertThat(stored)
                .hasSize(BacklogStateSnapshots.KEPT)
                .allMatch(l -> l.startsWith("anomalies,"))
                .anyMatch(l -> l.contains("anomaly_id=\"kept-0\""))
                .anyMatch(l -> l.contains("anomaly_id=\"kept-2\""));
        assertThat(BacklogStateSnapshots.DEAD_LETTERS).isEmpty();
    }

    @Test
    void aPointPastItsGiveUpTimeAtTheRestoreIsDeadLetteredAtOnce() throws Exception {
        OutboxSettings patient = TestBacklogs.settings("anomalies", 10).withGiveUpAfterMs(1_500);
        OperatorSubtaskState state;
        try (var h =
                BacklogStateSnapshots.harness(
                        BacklogStateSnapshots.sink(BacklogStateSnapshots.nowhere(), patient),
                        "heap")) {
            h.open();
            var a = BacklogStateSnapshots.anomaly(7);
            h.processElement(new StreamRecord<>(a, a.eventTimeMs));
            state = h.snapshot(1L, 1L);
        }
        Thread.sleep(1_700); // the job is away past the point's give-up time
        long restoredAt = System.currentTimeMillis();
        try (var h =
                BacklogStateSnapshots.harness(
                        BacklogStateSnapshots.sink(BacklogStateSnapshots.nowhere(), patient),
                        "heap")) {
            h.initializeState(state);
            h.open();
            long deadline = System.currentTimeMillis() + 5_000;
            while (BacklogStateSnapshots.DEAD_LETTERS.isEmpty()
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(BacklogStateSnapshots.DEAD_LETTERS)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.failedAtMs - restoredAt)
                                    .as("dead-lettered at the first try after the restore")
                                    .isLessThan(1_500);
                            assertThat(d.detail).contains("give-up-after");
                            assertThat(
                                            new String(
                                                    d.payload,
                                                    java.nio.charset.StandardCharsets.UTF_8))
                                    .contains("anomaly_id=\"kept-7\"");
                        });
    }
}
