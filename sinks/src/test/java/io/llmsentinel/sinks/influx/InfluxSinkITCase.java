package io.llmsentinel.sinks.influx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import io.llmsentinel.testkit.InfluxTranslator;
import io.llmsentinel.testkit.MiniClusters;
import io.llmsentinel.testkit.TestServers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The InfluxDB sink in a Flink job, through the real {@code influxdb3-java} client and its real
 * HTTP write calls, into a real InfluxDB 1.x (InfluxDB 3 cannot run here) behind the loopback
 * translator; read back with InfluxQL from the server itself.
 */
class InfluxSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private final String db = "it_" + UUID.randomUUID().toString().substring(0, 8);
    private InfluxTranslator translator;

    @BeforeEach
    void start() throws Exception {
        TestServers.influxQuery("", "CREATE DATABASE " + db);
        translator = new InfluxTranslator(0, TestServers.INFLUXDB);
    }

    @AfterEach
    void stop() throws Exception {
        translator.close();
        TestServers.influxQuery("", "DROP DATABASE " + db);
    }

    /** What the sink dead-letters: nothing, since every point here is valid. */
    static final java.util.Queue<DeadLetter> DEAD_LETTERS =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    static final DeadLetterPublisher.Factory DEAD =
            () ->
                    new DeadLetterPublisher() {
                        @Override
                        public void publish(DeadLetter d) {
                            DEAD_LETTERS.add(d);
                        }

                        @Override
                        public void close() {}
                    };

    @AfterEach
    void nothingWasDeadLettered() {
        assertThat(DEAD_LETTERS).isEmpty();
    }

    private InfluxSettings settings(int batchSize) {
        return new InfluxSettings(translator.url(), db, "", batchSize, 200);
    }

    static final String AWKWARD = "rag api, \"eu\"=west \\ v2";

    static Anomaly anomaly(int i) {
        Anomaly a = new Anomaly();
        a.anomalyId = String.format("%032x", i);
        a.eventTimeMs = 1_764_000_000_000L + i * 1000L;
        a.detectedAtMs = a.eventTimeMs + 300;
        a.severity = i % 2 == 0 ? "high" : "critical";
        a.anomalyType = "latency_spike";
        a.service = AWKWARD;
        a.model = "gpt-4o";
        a.provider = "openai";
        a.operation = "chat";
        a.environment = "prod";
        a.metric = "latency_ms";
        a.value = 9000 + i;
        a.score = 0.8;
        a.baselineMean = 1200;
        a.baselineStddev = 150;
        a.baselineMedian = 1150;
        a.baselineMad = 90;
        a.baselineSamples = 500;
        a.traceId = "0af7651916cd43dd8448eb211c80319c";
        return a;
    }

    private static List<Map<String, JsonNode>> rows(JsonNode answer) {
        List<Map<String, JsonNode>> out = new ArrayList<>();
        JsonNode series = answer.path("results").path(0).path("series");
        for (JsonNode s : series) {
            List<String> cols = new ArrayList<>();
            s.path("columns").forEach(c -> cols.add(c.asText()));
            for (JsonNode v : s.path("values")) {
                Map<String, JsonNode> row = new HashMap<>();
                for (int i = 0; i < cols.size(); i++) {
                    row.put(cols.get(i), v.get(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void anomaliesAreStoredWithTheirTagsAndFieldsAndARewriteIsHarmless() throws Exception {
        List<Anomaly> input = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            input.add(anomaly(i));
        }
        // The first 50 twice, as after a replay from a checkpoint.
        input.addAll(input.subList(0, 50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(input, TypeInformation.of(Anomaly.class))
                .sinkTo(
                        new InfluxSink<>(
                                settings(64),
                                TestBacklogs.settings("a", 64),
                                InfluxPoints.anomalies("anomalies"),
                                DEAD))
                .name("InfluxDB: anomalies");
        env.execute("influx-sink-it");

        List<Map<String, JsonNode>> all =
                rows(TestServers.influxQuery(db, "SELECT * FROM anomalies"));
        assertThat(all).as("250 points: the replayed 50 overwrote themselves").hasSize(250);

        Map<String, JsonNode> one =
                rows(TestServers.influxQuery(
                                db,
                                "SELECT * FROM anomalies WHERE anomaly_id = '"
                                        + String.format("%032x", 7)
                                        + "'"))
                        .get(0);
        // the event time, and below the millisecond a part from the anomaly id (InfluxPoints)
        assertThat(
                        java.time.Instant.parse(one.get("time").asText())
                                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .isEqualTo(java.time.Instant.parse("2025-11-24T16:00:07Z"));
        assertThat(one.get("service").asText()).isEqualTo(AWKWARD);
        assertThat(one.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(one.get("metric").asText()).isEqualTo("latency_ms");
        assertThat(one.get("severity").asText()).isEqualTo("critical");
        assertThat(one.get("anomaly_type").asText()).isEqualTo("latency_spike");
        assertThat(one.get("value").asDouble()).isEqualTo(9007);
        assertThat(one.get("baseline_mean").asDouble()).isEqualTo(1200);
        assertThat(one.get("baseline_samples").asLong()).isEqualTo(500);
        assertThat(one.get("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");

        // Tags are tags (indexed, low cardinality), ids are fields.
        JsonNode tagKeys = TestServers.influxQuery(db, "SHOW TAG KEYS FROM anomalies");
        List<String> tags = new ArrayList<>();
        for (Iterator<JsonNode> it =
                        tagKeys.path("results")
                                .path(0)
                                .path("series")
                                .path(0)
                                .path("values")
                                .elements();
                it.hasNext(); ) {
            tags.add(it.next().get(0).asText());
        }
        assertThat(tags)
                .containsExactlyInAnyOrder(
                        "anomaly_type",
                        "environment",
                        "metric",
                        "model",
                        "operation",
                        "provider",
                        "service",
                        "severity");
    }

    @Test
    void requestsOfOneKeyInTheSameMillisecondStayApart() throws Exception {
        List<LlmRequest> input = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            LlmRequest r = new LlmRequest();
            r.eventTimeMs = 1_764_000_000_000L; // all in one millisecond
            r.service = "rag-api";
            r.model = "gpt-4o";
            r.provider = "openai";
            r.operation = "chat";
            r.latencyMs = 1000 + i;
            r.inputTokens = 100;
            r.outputTokens = 50;
            r.costUsd = 0.001;
            r.error = i == 3;
            r.spanId = String.format("%016x", i + 1);
            input.add(r);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(input, TypeInformation.of(LlmRequest.class))
                .sinkTo(
                        new InfluxSink<>(
                                settings(8),
                                TestBacklogs.settings("r", 8),
                                InfluxPoints.requests("llm_requests"),
                                DEAD))
                .name("InfluxDB: requests");
        env.execute("influx-sink-requests-it");

        List<Map<String, JsonNode>> all =
                rows(TestServers.influxQuery(db, "SELECT * FROM llm_requests"));
        assertThat(all).hasSize(20);
        assertThat(all.stream().filter(r -> r.get("status").asText().equals("error")).count())
                .isEqualTo(1);
        assertThat(all.stream().mapToDouble(r -> r.get("total_tokens").asDouble()).sum())
                .isEqualTo(20 * 150);
    }
}
