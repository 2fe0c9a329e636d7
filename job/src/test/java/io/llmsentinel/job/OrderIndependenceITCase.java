package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.testkit.KafkaTestBroker;
import io.llmsentinel.testkit.MiniClusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same input gives the same alerts whatever the partition layout: one backlog of telemetry
 * (heavy-tailed, two incidents) written once into a single partition and once spread over two,
 * replayed from the earliest offsets by the whole job at parallelism 2 (so one key's requests
 * arrive from both readers, in an order that differs from run to run). Every alert opened, its
 * severity, its open time and its resolution are the same in both runs.
 */
class OrderIndependenceITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;

    @Test
    void twoPartitionLayoutsOfOneBacklogOpenTheSameAlerts() throws Exception {
        List<String> single = KafkaTestBroker.createTopics("otlp", "anomalies", "dlq");
        List<String> spread = KafkaTestBroker.createTopics("otlp", "anomalies", "dlq");
        long start = (System.currentTimeMillis() / MINUTE - 40) * MINUTE;
        List<Incident> incidents =
                List.of(
                        new Incident(
                                Incident.Type.LATENCY_SPIKE,
                                "support-bot",
                                "gpt-4o",
                                start + 12 * MINUTE,
                                start + 15 * MINUTE),
                        new Incident(
                                Incident.Type.ERROR_BURST,
                                "search-summarizer",
                                "gpt-4o-mini-2024-07-18",
                                start + 20 * MINUTE,
                                start + 23 * MINUTE));
        List<byte[]> messages = new ArrayList<>();
        try (TelemetryGenerator gen = new TelemetryGenerator(21, incidents, 4)) {
            for (long t = start; t < start + 30 * MINUTE; t += 100) {
                messages.add(gen.nextMessage(t));
            }
        }
        write(single.get(0), messages, false);
        write(spread.get(0), messages, true);

        List<String> a = alerts(single);
        List<String> b = alerts(spread);
        System.out.printf(
                "order independence: %d messages, %d alert changes in each layout%n",
                messages.size(), a.size());
        assertThat(a).as("alerts of the single-partition run").isNotEmpty();
        assertThat(b).as("the same alerts from two partitions").isEqualTo(a);
    }

    /** Writes the messages in order: all to partition 0, or alternately to 0 and 1. */
    private static void write(String topic, List<byte[]> messages, boolean spread)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> p = KafkaTestBroker.producer()) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                int partition = spread ? i % 2 : 0;
                sent.add(p.send(new ProducerRecord<>(topic, partition, null, messages.get(i))));
            }
            p.flush();
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs the job over the topic to its end; the alert changes, as comparable lines. */
    private static List<String> alerts(List<String> topics) throws Exception {
        SentinelConfig config =
                SentinelConfig.load(
                        null,
                        Map.ofEntries(
                                Map.entry("kafka.bootstrap-servers", KafkaTestBroker.bootstrap()),
                                Map.entry("kafka.starting-offsets", "earliest"),
                                Map.entry("kafka.group-id", "it-" + topics.get(0)),
                                Map.entry("inputs.otlp-traces.topic", topics.get(0)),
                                Map.entry("inputs.native-events.enabled", "false"),
                                Map.entry("inputs.otlp-metrics.enabled", "false"),
                                Map.entry("control.enabled", "false"),
                                Map.entry("sinks.kafka.topic", topics.get(1)),
                                Map.entry("dead-letter.topic", topics.get(2)),
                                Map.entry("sinks.console.enabled", "false"),
                                Map.entry("job.parallelism", "2")),
                        name -> null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(1_000);
        SentinelTopology.build(env, config, JobIo.fromConfig(config, true));
        var result = env.execute("sentinel-order-" + topics.get(0));
        long behind =
                result.<Long>getAccumulatorResult(
                        io.llmsentinel.functions.flink.AnomalyDetectionFunction.ACC_BACKLOG_LATE);
        assertThat(behind).as("backlog requests that came behind the watermark").isZero();
        TreeSet<String> lines = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(1))) {
            JsonNode n = JSON.readTree(r.value());
            if ("alert".equals(n.path("record_type").asText())) {
                lines.add(
                        String.join(
                                " ",
                                n.get("service").asText(),
                                n.get("model").asText(),
                                n.get("metric").asText(),
                                n.get("state").asText(),
                                n.get("severity").asText(),
                                n.get("opened_at").asText(),
                                n.get("event_time").asText()));
            }
        }
        return new ArrayList<>(lines);
    }
}
