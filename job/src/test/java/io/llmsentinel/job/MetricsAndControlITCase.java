package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.testkit.KafkaTestBroker;
import io.llmsentinel.testkit.MiniClusters;
import io.llmsentinel.testkit.OtlpJsonMetrics;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OTLP metrics input and the control topic in the whole job, on the real broker: two services
 * that send only GenAI metrics (made by the OpenTelemetry SDK and its OTLP/JSON exporter), one
 * cumulative with a process restart (a counter reset) in the middle, one delta; a latency incident
 * in each; and a silence of one of them on the control topic. The windowed detection judges the
 * metric intervals (request rate, latency p95); the reset makes no spike; the silenced service's
 * anomalies open no alert; every control command is audited; bad input of both kinds is
 * dead-lettered.
 */
class MetricsAndControlITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;

    @Test
    void metricIntervalsAreJudgedAndSilencesHoldAlertsBack() throws Exception {
        List<String> topics =
                KafkaTestBroker.createTopics(
                        "otlp", "native", "metrics", "anomalies", "dlq", "control");
        long start = (System.currentTimeMillis() / MINUTE - 90) * MINUTE;
        long spikeAt = start + 70 * MINUTE;
        long resetAt = start + 45 * MINUTE;
        Random random = new Random(5);
        // Both services export at the same time, as two processes would: messages in time order.
        List<Map.Entry<Long, byte[]>> timed = new ArrayList<>();
        for (boolean cumulative : new boolean[] {true, false}) {
            String service = cumulative ? "metrics-cumulative" : "metrics-delta";
            OtlpJsonMetrics sdk = sdk(service, cumulative, start);
            DoubleHistogram duration = duration(sdk);
            Attributes call =
                    Attributes.of(
                            AttributeKey.stringKey("gen_ai.provider.name"), "openai",
                            AttributeKey.stringKey("gen_ai.request.model"), "gpt-4o",
                            AttributeKey.stringKey("gen_ai.operation.name"), "chat");
            for (long t = start; t < start + 80 * MINUTE; t += 1_000) {
                if (cumulative && t == resetAt) {
                    // the process restarts: a new series, its totals start again from zero
                    timed.add(Map.entry(t - 1, sdk.collect()));
                    sdk.close();
                    sdk = sdk(service, true, t);
                    duration = duration(sdk);
                }
                sdk.at(t);
                boolean slow = t >= spikeAt && t < spikeAt + 5 * MINUTE;
                for (int i = 0; i < 2; i++) {
                    double seconds = Math.exp(Math.log(0.9) + 0.25 * random.nextGaussian());
                    duration.record(slow ? seconds * 6 : seconds, call);
                }
                if ((t - start) % MINUTE == MINUTE - 1_000) {
                    sdk.at(t + 999);
                    timed.add(Map.entry(t + 999, sdk.collect()));
                }
            }
            sdk.close();
        }
        timed.sort(Map.Entry.comparingByKey());
        List<byte[]> messages = new ArrayList<>();
        timed.forEach(e -> messages.add(e.getValue()));
        // Bad metrics input: not JSON; a histogram whose buckets do not add up.
        messages.add("{\"resourceMetrics\": [".getBytes(StandardCharsets.UTF_8));
        messages.add(
                ("{\"resourceMetrics\":[{\"resource\":{\"attributes\":[]},\"scopeMetrics\":[{\"metrics\":[{\"name\":"
                                + "\"gen_ai.client.operation.duration\",\"histogram\":{\"aggregationTemporality\":1,"
                                + "\"dataPoints\":[{\"timeUnixNano\":\""
                                + (start + MINUTE) * 1_000_000
                                + "\",\"count\":\"5\",\"bucketCounts\":[\"1\",\"1\"],\"explicitBounds\":[1]}]}}]}]}]}")
                        .getBytes(StandardCharsets.UTF_8));

        List<String> control = new ArrayList<>();
        control.add(
                command(
                        "s-delta",
                        Instant.ofEpochMilli(start),
                        "\"type\":\"silence\",\"match\":{\"service\":\"metrics-delta\"},\"until\":\""
                                + Instant.now().plusSeconds(3600)
                                + "\""));
        control.add(
                command(
                        "u-none",
                        Instant.ofEpochMilli(start + 1),
                        "\"type\":\"unsilence\",\"target\":\"no-such-silence\""));
        control.add("{\"type\":\"silence\"}");

        send(topics.get(5), start, control);
        SentinelConfig config =
                SentinelConfig.load(
                        null,
                        Map.ofEntries(
                                Map.entry("kafka.bootstrap-servers", KafkaTestBroker.bootstrap()),
                                Map.entry("kafka.starting-offsets", "earliest"),
                                Map.entry("kafka.group-id", "it-" + topics.get(0)),
                                Map.entry("inputs.otlp-traces.topic", topics.get(0)),
                                Map.entry("inputs.native-events.topic", topics.get(1)),
                                Map.entry("inputs.otlp-metrics.topic", topics.get(2)),
                                Map.entry("sinks.kafka.topic", topics.get(3)),
                                Map.entry("dead-letter.topic", topics.get(4)),
                                Map.entry("control.topic", topics.get(5)),
                                Map.entry("sinks.console.enabled", "false"),
                                Map.entry("job.parallelism", "2")),
                        name -> null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(500);
        SentinelTopology.build(env, config, JobIo.fromConfig(config, false));
        // Unbounded, and the metrics sent only once the silence is in force: the control topic
        // and the data are two sources, and nothing orders a command before data read at the
        // same moment (a command takes effect from when the job reads it).
        JobClient job = env.executeAsync("sentinel-metrics-and-control");
        Outputs outputs = new Outputs(topics.get(3), topics.get(4));
        try {
            outputs.await(o -> o.audit.size() >= 2, "the audit of both commands");
            send(topics.get(2), null, messages);
            outputs.await(
                    o ->
                            o.deadReasons.size() >= 4
                                    && o.hasLatencyAnomaly("metrics-cumulative")
                                    && o.hasLatencyAnomaly("metrics-delta")
                                    && o.alerts.stream()
                                            .anyMatch(
                                                    a ->
                                                            a.get("service")
                                                                    .asText()
                                                                    .equals("metrics-cumulative")),
                    "the incidents' anomalies and alerts");
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        List<JsonNode> anomalies = outputs.anomalies;
        List<JsonNode> alerts = outputs.alerts;
        List<JsonNode> audit = outputs.audit;
        List<String> deadReasons = outputs.deadReasons;
        // The latency incident, judged from the duration histograms of both temporalities.
        for (String service : List.of("metrics-cumulative", "metrics-delta")) {
            assertThat(anomalies)
                    .as("latency_p95 anomalies of %s in the incident", service)
                    .anySatisfy(
                            a -> {
                                assertThat(a.get("service").asText()).isEqualTo(service);
                                assertThat(a.get("metric").asText()).isEqualTo("latency_p95");
                                long t = Instant.parse(a.get("event_time").asText()).toEpochMilli();
                                assertThat(t).isBetween(spikeAt, spikeAt + 6 * MINUTE);
                            });
        }
        // The counter reset is no spike: no request_rate anomaly around it.
        assertThat(anomalies)
                .noneSatisfy(
                        a -> {
                            assertThat(a.get("service").asText()).isEqualTo("metrics-cumulative");
                            assertThat(a.get("metric").asText()).isEqualTo("request_rate");
                            long t = Instant.parse(a.get("event_time").asText()).toEpochMilli();
                            assertThat(t).isBetween(resetAt - MINUTE, resetAt + 2 * MINUTE);
                        });
        // The silence holds the delta service's alerts back; the other one alerts.
        assertThat(alerts).isNotEmpty();
        assertThat(alerts)
                .noneSatisfy(a -> assertThat(a.get("service").asText()).isEqualTo("metrics-delta"));
        assertThat(alerts)
                .anySatisfy(
                        a -> assertThat(a.get("service").asText()).isEqualTo("metrics-cumulative"));
        assertThat(audit)
                .extracting(a -> a.get("command_id").asText() + ":" + a.get("outcome").asText())
                .containsExactlyInAnyOrder("s-delta:applied", "u-none:refused");

        assertThat(deadReasons)
                .containsExactlyInAnyOrder(
                        "invalid_json", "invalid_value", "invalid_command", "invalid_command");
        System.out.printf(
                "metrics and control: %d anomalies (%d latency_p95), %d alert changes, %d audit"
                        + " events, dead letters %s%n",
                anomalies.size(),
                anomalies.stream()
                        .filter(a -> a.get("metric").asText().equals("latency_p95"))
                        .count(),
                alerts.size(),
                audit.size(),
                deadReasons);
    }

    private static void send(String topic, Long timestamp, List<?> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = KafkaTestBroker.producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Object v : values) {
                byte[] bytes =
                        v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) v;
                sent.add(p.send(new ProducerRecord<>(topic, 0, timestamp, null, bytes)));
            }
            p.flush();
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** What the job wrote: the output topic by record type, and the dead letters' reasons. */
    private static final class Outputs {
        final String topic;
        final String deadLetterTopic;
        final List<JsonNode> anomalies = new ArrayList<>();
        final List<JsonNode> alerts = new ArrayList<>();
        final List<JsonNode> audit = new ArrayList<>();
        final List<String> deadReasons = new ArrayList<>();

        Outputs(String topic, String deadLetterTopic) {
            this.topic = topic;
            this.deadLetterTopic = deadLetterTopic;
        }

        boolean hasLatencyAnomaly(String service) {
            return anomalies.stream()
                    .anyMatch(
                            a ->
                                    a.get("service").asText().equals(service)
                                            && a.get("metric").asText().equals("latency_p95"));
        }

        private int read() throws Exception {
            anomalies.clear();
            alerts.clear();
            audit.clear();
            deadReasons.clear();
            for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topic)) {
                JsonNode n = JSON.readTree(r.value());
                switch (n.path("record_type").asText("anomaly")) {
                    case "alert" -> alerts.add(n);
                    case "audit" -> audit.add(n);
                    default -> anomalies.add(n);
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(deadLetterTopic)) {
                deadReasons.add(JSON.readTree(r.value()).get("reason").asText());
            }
            return anomalies.size() + alerts.size() + audit.size() + deadReasons.size();
        }

        /**
         * Reads the outputs until {@code done} holds and they have not grown for 5 s (so that what
         * the same windows emitted after it is there too), or fails after 4 minutes.
         */
        void await(java.util.function.Predicate<Outputs> done, String what) throws Exception {
            long deadline = System.currentTimeMillis() + 240_000;
            int seen = -1;
            long stableSince = System.currentTimeMillis();
            while (true) {
                int now = read();
                if (now != seen) {
                    seen = now;
                    stableSince = System.currentTimeMillis();
                }
                if (done.test(this) && System.currentTimeMillis() - stableSince >= 5_000) {
                    return;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError(
                            "no "
                                    + what
                                    + " in 4 minutes: "
                                    + anomalies.size()
                                    + " anomalies, "
                                    + alerts.size()
                                    + " alert changes, audit "
                                    + audit
                                    + ", dead letters "
                                    + deadReasons);
                }
                Thread.sleep(1_000);
            }
        }
    }

    private static OtlpJsonMetrics sdk(String service, boolean cumulative, long startMs) {
        return new OtlpJsonMetrics(
                OtlpJsonMetrics.attributes(
                        "service.name", service, "deployment.environment.name", "prod"),
                cumulative,
                startMs * 1_000_000L);
    }

    private static DoubleHistogram duration(OtlpJsonMetrics sdk) {
        return sdk.meter("io.opentelemetry.genai")
                .histogramBuilder("gen_ai.client.operation.duration")
                .setUnit("s")
                // the bucket boundaries the GenAI semantic conventions advise
                .setExplicitBucketBoundariesAdvice(
                        java.util.List.of(
                                0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24,
                                20.48, 40.96, 81.92))
                .build();
    }

    private static String command(String id, Instant time, String body) {
        return "{\"id\":\"" + id + "\",\"author\":\"it\",\"time\":\"" + time + "\"," + body + "}";
    }
}
