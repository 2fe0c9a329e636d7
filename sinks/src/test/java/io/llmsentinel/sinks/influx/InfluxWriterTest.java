package io.llmsentinel.sinks.influx;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.v3.client.InfluxDBApiHttpException;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
