package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.generator.BadMessages;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.flink.RequestsFromMessages;
import io.llmsentinel.testkit.KafkaTestBroker;
import io.llmsentinel.testkit.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a MiniCluster against the real Kafka broker: generated OTLP/JSON telemetry with
 * one injected latency spike and malformed messages in, anomalies and dead letters out, and every
 * span accounted for.
 */
class SentinelJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void detectsInjectedSpikeDeadLettersBadInputAndLosesNothing() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        String otlpTopic = topics.get(0);
        String nativeTopic = topics.get(1);

        // 90 s of event time at 20 messages/s, ending now; the spike sits at 50..60 s.
        long durationMs = 90_000;
        long start = System.currentTimeMillis() - durationMs;
        Incident spike =
                new Incident(
                        Incident.Type.LATENCY_SPIKE,
                        "support-bot",
                        "gpt-4o",
                        start + 50_000,
                        start + 60_000);
        long llmSpans;
        long otherSpans;
        int bad = 0;
        int messages = 0;
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(11, List.of(spike), 4)) {
            for (long t = start; t < start + durationMs; t += 50) {
                byte[] value;
                if (messages % 150 == 149) {
                    value = BadMessages.ALL.get(bad % BadMessages.ALL.size()).payload();
                    bad++;
                } else {
                    value = gen.nextMessage(t);
                }
                sent.add(producer.send(new ProducerRecord<>(otlpTopic, null, t, null, value)));
                messages++;
            }
            // The older native format on its own topic: one good event, one broken.
            producer.send(new ProducerRecord<>(nativeTopic, utf8(nativeEvent(start + 1000))));
            producer.send(new ProducerRecord<>(nativeTopic, utf8("{\"service_name\":\"x\"}")));
            producer.flush();
            for (var f : sent) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS); // a failed send fails here
            }
            llmSpans = gen.llmSpans();
            otherSpans = gen.otherSpans();
        }

        SentinelConfig config =
                SentinelConfig.load(
                        null,
                        pairs(
                                "kafka.bootstrap-servers",
                                KafkaTestBroker.bootstrap(),
                                "kafka.starting-offsets",
                                "earliest",
                                "kafka.group-id",
                                "it-" + otlpTopic,
                                "inputs.otlp-traces.topic",
                                otlpTopic,
                                "inputs.native-events.topic",
                                nativeTopic,
                                "sinks.kafka.topic",
                                topics.get(2),
                                "dead-letter.topic",
                                topics.get(3),
                                "sinks.console.enabled",
                                "false",
                                "inputs.otlp-metrics.enabled",
                                "false",
                                "control.enabled",
                                "false",
                                "job.parallelism",
                                "2"),
                        name -> null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // The anomaly topic is written in transactions committed on checkpoints.
        env.enableCheckpointing(500);
        SentinelTopology.build(env, config, JobIo.fromConfig(config, true));
        JobExecutionResult result = env.execute("sentinel-it");

        // Nothing lost: every span in is parsed, skipped or invalid; every message is counted.
        long parsed = result.<Long>getAccumulatorResult(RequestsFromMessages.ACC_LLM_SPANS);
        long skipped = result.<Long>getAccumulatorResult(RequestsFromMessages.ACC_SKIPPED_SPANS);
        long invalid = result.<Long>getAccumulatorResult(RequestsFromMessages.ACC_INVALID);
        long read = result.<Long>getAccumulatorResult(RequestsFromMessages.ACC_MESSAGES);
        assertThat(read).isEqualTo(messages + 2);
        assertThat(parsed).isEqualTo(llmSpans + 1);
        assertThat(skipped).isEqualTo(otherSpans);
        assertThat(invalid).isEqualTo(bad + 1);
        assertThat(parsed + skipped + invalid).isEqualTo(llmSpans + otherSpans + bad + 2);

        // The malformed messages are on the dead-letter topic, each with its reason and bytes.
        List<JsonNode> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(3))) {
            dead.add(JSON.readTree(r.value()));
        }
        assertThat(dead).hasSize(bad + 1);
        Map<String, Integer> reasons = new HashMap<>();
        dead.forEach(d -> reasons.merge(d.get("reason").asText(), 1, Integer::sum));
        for (BadMessages.Bad b : BadMessages.ALL) {
            assertThat(reasons).containsKey(b.reason());
        }
        assertThat(reasons).containsKey("missing_field");
        assertThat(dead)
                .allSatisfy(
                        d -> {
                            assertThat(d.get("source_topic").asText()).isIn(otlpTopic, nativeTopic);
                            assertThat(d.get("detail").asText()).isNotBlank();
                            assertThat(d.has("payload_base64")).isTrue();
                        });

        // The spike is found for the right key and metric, inside the incident.
        List<JsonNode> anomalies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(2))) {
            JsonNode n = JSON.readTree(r.value());
            if (!"alert".equals(n.path("record_type").asText())) { // alert changes share the topic
                anomalies.add(n);
            }
        }
        assertThat(anomalies)
                .anySatisfy(
                        a -> {
                            assertThat(a.get("service").asText()).isEqualTo("support-bot");
                            assertThat(a.get("model").asText()).isEqualTo("gpt-4o");
                            assertThat(a.get("metric").asText()).isEqualTo("latency_ms");
                            assertThat(a.get("anomaly_type").asText()).isEqualTo("latency_spike");
                            long t = Instant.parse(a.get("event_time").asText()).toEpochMilli();
                            assertThat(t).isBetween(spike.startMs(), spike.endMs() + 1000);
                        });
        // Each anomaly id is unique: one result per (key, metric, value).
        assertThat(anomalies.stream().map(a -> a.get("anomaly_id").asText()).distinct().count())
                .isEqualTo(anomalies.size());
    }

    private static String nativeEvent(long t) {
        return "{\"event_id\":\"n1\",\"timestamp\":"
                + t
                + ",\"service_name\":\"legacy-app\","
                + "\"model\":\"gpt-4o\",\"prompt\":{\"text\":\"hi\",\"tokens\":12},"
                + "\"response\":{\"text\":\"hello\",\"tokens\":3},\"latency_ms\":420,"
                + "\"metadata\":{\"provider\":\"openai\"},\"errors\":[]}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> pairs(String... keysAndValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
