package io.llmsentinel.sinks.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.influxdb.v3.client.InfluxDBApiHttpException;
import com.influxdb.v3.client.Point;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * The writer's retry rules, with a client that answers what the test says (the real client and
 * server are in the job module's InfluxSinkITCase).
 */
class InfluxWriterTest {
    private static final InfluxSettings SETTINGS =
            new InfluxSettings("http://127.0.0.1:1", "db", "", 2, 1000, 3, 1, 2);

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

    private InfluxWriter<Anomaly> writer(Consumer<List<Point>> client) {
        return new InfluxWriter<>(
                SETTINGS,
                InfluxPoints.anomalies("anomalies"),
                null,
                new UnregisteredMetricsGroup(),
                new InfluxWriter.Client(client, () -> {}),
                new CollectingDeadLetters(deadLetters),
                "anomalies");
    }

    @Test
    void retriesServerErrorsThenStores() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Point> stored = new CopyOnWriteArrayList<>();
        try (var w =
                writer(
                        batch -> {
                            if (calls.incrementAndGet() <= 2) {
                                throw http(503);
                            }
                            stored.addAll(batch);
                        })) {
            w.write(anomaly(1), null);
            w.write(anomaly(2), null);
            w.flush(false);
        }
        assertThat(calls).hasValue(3);
        assertThat(stored).hasSize(2);
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void aBadRequestIsNotRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w =
                writer(
                        batch -> {
                            calls.incrementAndGet();
                            throw http(400);
                        })) {
            w.write(anomaly(1), null);
            w.flush(false); // counted and dead-lettered, not a checkpoint failure
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

    @Test
    void aServerThatKeepsFailingFailsTheCheckpoint() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w =
                writer(
                        batch -> {
                            calls.incrementAndGet();
                            throw http(500);
                        })) {
            w.write(anomaly(1), null);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("failed 3 times");
        }
        assertThat(calls).hasValue(3);
        assertThat(deadLetters).as("replayed after a restart, not dead-lettered").isEmpty();
    }
}
