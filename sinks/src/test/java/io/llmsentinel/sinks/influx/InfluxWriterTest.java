package io.llmsentinel.sinks.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.influxdb.v3.client.InfluxDBApiHttpException;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxStateSerializer;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * The writer's delivery rules, with a client that answers what the test says (the real client and
 * server are in InfluxSinkITCase and the job's FanOutUnderFailureITCase).
 */
class InfluxWriterTest {
    private static final OutboxSettings BACKLOG = TestBacklogs.settings("anomalies", 2);

    private static InfluxDBApiHttpException http(int status) {
        return new InfluxDBApiHttpException(
                "HTTP " + status, HttpHeaders.of(Map.of(), (a, b) -> true), status);
    }

    private static Anomaly anomaly(int i) {
        Anomaly a = new Anomaly();
        a.anomalyId = "id" + i;
        a.metric = "latency_ms";
        a.eventTimeMs = 1000 + i;
        return a;
    }

    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    private InfluxWriter<Anomaly> writer(
            OutboxSettings backlog, Consumer<List<String>> client, Collection<OutboxState> state)
            throws Exception {
        return new InfluxWriter<>(
                backlog,
                InfluxPoints.anomalies("anomalies"),
                new UnregisteredMetricsGroup(),
                new InfluxWriter.Client(client, () -> {}),
                new CollectingDeadLetters(deadLetters),
                "anomalies",
                state);
    }

    @Test
    void retriesServerErrorsThenStores() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> stored = new CopyOnWriteArrayList<>();
        try (var w =
                writer(
                        BACKLOG,
                        batch -> {
                            if (calls.incrementAndGet() <= 2) {
                                throw http(503);
                            }
                            stored.addAll(batch);
                        },
                        List.of())) {
            w.write(anomaly(1), null);
            w.write(anomaly(2), null);
            w.flush(true); // the end of a bounded input: drains, with a deadline
        }
        assertThat(calls).hasValue(3);
        assertThat(stored).hasSize(2).allMatch(l -> l.startsWith("anomalies,metric=latency_ms"));
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void aBadRequestIsNotRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w =
                writer(
                        BACKLOG,
                        batch -> {
                            calls.incrementAndGet();
                            throw http(400);
                        },
                        List.of())) {
            w.write(anomaly(1), null);
            w.flush(true);
        }
        assertThat(calls).hasValue(1);
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("influxdb_rejected");
                            assertThat(d.detail).contains("HTTP 400");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .startsWith("anomalies,metric=latency_ms")
                                    .contains("anomaly_id=\"id1\"");
                        });
    }

    /**
     * A server that is down neither fails nor holds back a checkpoint: the points wait in the
     * writer's state, and a writer restored from it stores them once the server is back.
     */
    @Test
    void aServerThatIsDownKeepsItsPointsInTheCheckpointedBacklog() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<OutboxState> state;
        try (var w =
                writer(
                        BACKLOG,
                        batch -> {
                            calls.incrementAndGet();
                            throw http(500);
                        },
                        List.of())) {
            for (int i = 0; i < 3; i++) {
                w.write(anomaly(i), null);
            }
            long start = System.nanoTime();
            w.flush(false); // what a checkpoint does: no waiting for the server
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000);
            Thread.sleep(300);
            state = w.snapshotState(1);
        }
        assertThat(calls.get()).isGreaterThanOrEqualTo(1);
        assertThat(state).singleElement().satisfies(s -> assertThat(s.items()).hasSize(3));

        List<String> stored = new CopyOnWriteArrayList<>();
        try (var restored = writer(BACKLOG, stored::addAll, state)) {
            restored.flush(true);
        }
        assertThat(stored)
                .hasSize(3)
                .anyMatch(l -> l.contains("anomaly_id=\"id0\""))
                .anyMatch(l -> l.contains("anomaly_id=\"id2\""));
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void pointsUndeliveredPastGiveUpAfterAreDeadLettered() throws Exception {
        OutboxSettings impatient = BACKLOG.withGiveUpAfterMs(300);
        try (var w =
                writer(
                        impatient,
                        batch -> {
                            throw http(503);
                        },
                        List.of())) {
            w.write(anomaly(1), null);
            long deadline = System.currentTimeMillis() + 5_000;
            while (deadLetters.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(deadLetters)
                .singleElement()
                .satisfies(d -> assertThat(d.detail).contains("give-up-after").contains("503"));
    }

    /**
     * An InfluxDB outage with a full backlog delays InfluxDB only: each new point goes to the
     * dead-letter topic (reason backlog_full, with its line protocol) instead of holding back the
     * task, and with it detection and every other output.
     */
    @Test
    void aFullBacklogShedsNewPointsToTheDeadLetterTopicInsteadOfHoldingTheTask() throws Exception {
        List<OutboxState> state;
        try (var w =
                writer(
                        TestBacklogs.small("anomalies", 3),
                        batch -> {
                            throw http(503);
                        },
                        List.of())) {
            assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> {
                        for (int i = 0; i < 10; i++) {
                            w.write(anomaly(i), null);
                        }
                    },
                    "writes to a full backlog must not wait for the server");
            awaitDeadLetters(7);
            state = w.snapshotState(1);
        }
        assertThat(state).singleElement().satisfies(s -> assertThat(s.items()).hasSize(3));
        assertThat(deadLetters)
                .hasSize(7)
                .allSatisfy(
                        d -> {
                            assertThat(d.reason).isEqualTo("backlog_full");
                            assertThat(d.sourceTopic).isEqualTo("influxdb:anomalies");
                            assertThat(d.detail).contains("anomalies").contains("backlog full");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .startsWith("anomalies,metric=latency_ms")
                                    .doesNotContain("\n");
                        });
        List<String> shed = new ArrayList<>();
        for (DeadLetter d : deadLetters) {
            String line = new String(d.payload, StandardCharsets.UTF_8);
            shed.add(line.substring(line.indexOf("anomaly_id=\"") + 12, line.indexOf("\",")));
        }
        assertThat(shed).containsExactly("id3", "id4", "id5", "id6", "id7", "id8", "id9");
    }

    /**
     * give-up-after counts from when a point was written, across restores: a point whose give-up
     * time passed while the job was away is dead-lettered at the first failed try after the
     * restore, not a whole give-up-after later.
     */
    @Test
    void aPointRestoredPastItsGiveUpTimeIsDeadLetteredAtOnce() throws Exception {
        OutboxSettings patient = BACKLOG.withGiveUpAfterMs(1_500);
        List<OutboxState> state;
        try (var w =
                writer(
                        patient,
                        batch -> {
                            throw http(503);
                        },
                        List.of())) {
            w.write(anomaly(1), null);
            state = w.snapshotState(1);
        }
        state = throughTheSerializer(state);
        Thread.sleep(1_700); // the job is away past the point's give-up time
        long restoredAt = System.currentTimeMillis();
        try (var restored =
                writer(
                        patient,
                        batch -> {
                            throw http(503);
                        },
                        state)) {
            awaitDeadLetters(1);
        }
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.failedAtMs - restoredAt)
                                    .as("dead-lettered at the first try after the restore")
                                    .isLessThan(1_000);
                            assertThat(d.detail).contains("give-up-after");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("anomaly_id=\"id1\"");
                        });
    }

    /**
     * The end of a bounded input returns by its deadline with nothing unaccounted for: a batch
     * still in flight at the deadline is dead-lettered with the rest (it may also arrive: at least
     * once), not dropped when the writer closes.
     */
    @Test
    void theEndOfTheInputAccountsForWhatIsStillInFlight() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        long tookMs;
        try (var w =
                writer(
                        TestBacklogs.ending("anomalies", 2, 300),
                        batch -> {
                            calls.incrementAndGet();
                            try {
                                answer.await(10, TimeUnit.SECONDS); // a server that hangs
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            throw http(503);
                        },
                        List.of())) {
            w.write(anomaly(1), null);
            w.write(anomaly(2), null);
            long deadline = System.currentTimeMillis() + 5_000;
            while (calls.get() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            w.flush(true);
            tookMs = (System.nanoTime() - start) / 1_000_000;
            answer.countDown();
            Thread.sleep(200); // the hanging write answers 503 after the end
        }
        assertThat(tookMs).as("the end waits no longer than its deadline").isLessThan(2_000);
        assertThat(
                        String.join(
                                "\n",
                                deadLetters.stream()
                                        .map(d -> new String(d.payload, StandardCharsets.UTF_8))
                                        .toList()))
                .contains("anomaly_id=\"id1\"")
                .contains("anomaly_id=\"id2\"");
        assertThat(deadLetters).allSatisfy(d -> assertThat(d.detail).contains("end of the input"));
        assertThat(calls).hasValue(1);
    }

    /**
     * A writer whose restore fails (a corrupt backlog) closes the client and the dead-letter
     * producer it was given: Flink never closes a writer it did not get, so they would leak on
     * every restart.
     */
    @Test
    void aWriterThatCannotStartClosesWhatItWasGiven() {
        AtomicBoolean clientClosed = new AtomicBoolean();
        CollectingDeadLetters producer = new CollectingDeadLetters(deadLetters);
        List<OutboxState> corrupt = List.of(OutboxState.of("anomalies", List.of(new byte[] {9})));
        assertThatThrownBy(
                        () ->
                                new InfluxWriter<>(
                                        BACKLOG,
                                        InfluxPoints.anomalies("anomalies"),
                                        new UnregisteredMetricsGroup(),
                                        new InfluxWriter.Client(
                                                batch -> {}, () -> clientClosed.set(true)),
                                        producer,
                                        "anomalies",
                                        corrupt))
                .isInstanceOf(IOException.class);
        assertThat(clientClosed).as("the InfluxDB client closed").isTrue();
        assertThat(producer.closed()).as("the dead-letter producer closed").isTrue();
    }

    private void awaitDeadLetters(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (deadLetters.size() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    private static List<OutboxState> throughTheSerializer(List<OutboxState> states)
            throws IOException {
        OutboxStateSerializer s = new OutboxStateSerializer();
        List<OutboxState> out = new ArrayList<>();
        for (OutboxState state : states) {
            out.add(s.deserialize(s.getVersion(), s.serialize(state)));
        }
        return out;
    }
}
