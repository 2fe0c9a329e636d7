package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.testkit.KafkaTestBroker;
import io.llmsentinel.testkit.MiniClusters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A quiet hour in the whole job, on the real broker, with the control topic on: telemetry with an
 * open alert, then a pause longer than {@code event-time.idleness} (the telemetry input goes idle),
 * then more telemetry with a second incident. The pause must change nothing: the open alert does
 * not resolve while nothing arrives, no window is judged empty, and afterwards alerts still open
 * and resolve on the telemetry's own event time. (When the control input drove event time, the
 * pause carried every operator to the end of time: the alert resolved at once, "traffic stopped"
 * was judged for every key, and no later alert ever resolved.)
 */
class QuietHourITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;

    @Test
    void aPauseInTheTelemetryNeitherResolvesAlertsNorStopsLaterOnes() throws Exception {
        List<String> topics =
                KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq", "control");
        long start = (System.currentTimeMillis() / MINUTE - 60) * MINUTE;
        long pauseAt = start + 22 * MINUTE;
        long end = start + 45 * MINUTE;
        // The first incident begins three minutes before the pause: its alert is open when the
        // telemetry stops (an alert lasts at least its two-minute recovery window).
        Incident first = spike(start + 19 * MINUTE, start + 23 * MINUTE);
        // The second on another key: a key's baseline takes a while to settle after an incident.
        Incident second =
                new Incident(
                        Incident.Type.LATENCY_SPIKE,
                        "code-assistant",
                        "claude-3-5-sonnet-20241022",
                        start + 33 * MINUTE,
                        start + 35 * MINUTE);

        SentinelConfig config =
                SentinelConfig.load(
                        null,
                        Map.ofEntries(
                                Map.entry("kafka.bootstrap-servers", KafkaTestBroker.bootstrap()),
                                Map.entry("kafka.starting-offsets", "earliest"),
                                Map.entry("kafka.group-id", "it-" + topics.get(0)),
                                Map.entry("inputs.otlp-traces.topic", topics.get(0)),
                                Map.entry("inputs.native-events.topic", topics.get(1)),
                                Map.entry("inputs.otlp-metrics.enabled", "false"),
                                Map.entry("sinks.kafka.topic", topics.get(2)),
                                Map.entry("dead-letter.topic", topics.get(3)),
                                Map.entry("control.topic", topics.get(4)),
                                Map.entry("event-time.idleness", "1 s"),
                                Map.entry("event-time.max-out-of-orderness", "1 s"),
                                Map.entry("sinks.console.enabled", "false"),
                                Map.entry("job.parallelism", "2")),
                        name -> null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(500);
        SentinelTopology.build(env, config, JobIo.fromConfig(config, false));
        JobClient job = env.executeAsync("sentinel-quiet-hour");
        Outputs outputs = new Outputs(topics.get(2));
        // When an await fails: how far the job got in the input (its committed offsets).
        outputs.diagnostics = () -> consumed(topics.get(0));
        try (TelemetryGenerator gen = new TelemetryGenerator(3, List.of(first, second), 4)) {
            send(topics.get(0), gen, start, pauseAt);
            outputs.await(o -> !o.opened(first).isEmpty(), "the first incident's alert");
            // The pause: many times the idleness, with the first alert open.
            Thread.sleep(8_000);
            outputs.await(o -> true, "the outputs after the pause");
            // Event time stood at the pause: nothing happened beyond it, and the open alert of
            // the first incident is still open.
            assertThat(outputs.alerts)
                    .as("no alert change beyond the telemetry seen before the pause")
                    .allSatisfy(a -> assertThat(eventTime(a)).isLessThan(pauseAt));
            assertThat(outputs.resolved(first))
                    .as("the first incident's alert still open")
                    .isEmpty();
            assertThat(outputs.emptyWindows())
                    .as("no window is judged empty during the pause")
                    .isEmpty();

            send(topics.get(0), gen, pauseAt, end);
            outputs.await(
                    o -> !o.resolved(first).isEmpty() && !o.resolved(second).isEmpty(),
                    "both incidents' alerts opened and resolved");
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        // Resolutions at the telemetry's own event time: after the recovery window, and no later
        // than a few minutes after the incident.
        for (Incident i : List.of(first, second)) {
            for (JsonNode r : outputs.resolved(i)) {
                long opened = Instant.parse(r.get("opened_at").asText()).toEpochMilli();
                assertThat(eventTime(r)).isBetween(opened + 2 * MINUTE, i.endMs() + 6 * MINUTE);
            }
        }
        assertThat(outputs.alerts)
                .as("no alert change beyond the telemetry's event time")
                .allSatisfy(a -> assertThat(eventTime(a)).isLessThan(end + 5 * MINUTE));
    }

    private static Incident spike(long from, long to) {
        return new Incident(Incident.Type.LATENCY_SPIKE, "support-bot", "gpt-4o", from, to);
    }

    /** Sends [from, to) of event time, two messages a second, in time order. */
    private static void send(String topic, TelemetryGenerator gen, long from, long to)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> p = KafkaTestBroker.producer()) {
            List<Future<?>> sent = new ArrayList<>();
            for (long t = from; t < to; t += 500) {
                sent.add(p.send(new ProducerRecord<>(topic, null, t, null, gen.nextMessage(t))));
            }
            p.flush();
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The job's committed offsets against the topic's end offsets, as text. */
    private static String consumed(String topic) {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", KafkaTestBroker.bootstrap());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            var ends =
                    new java.util.HashMap<
                            org.apache.kafka.common.TopicPartition,
                            org.apache.kafka.clients.admin.OffsetSpec>();
            for (var p :
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()) {
                ends.put(
                        new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            return "committed offsets "
                    + admin
                            .listConsumerGroupOffsets("it-" + topic)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .entrySet()
                            .stream()
                            .map(e -> e.getKey().partition() + "=" + e.getValue().offset())
                            .toList()
                    + ", end offsets "
                    + admin.listOffsets(ends).all().get().entrySet().stream()
                            .map(e -> e.getKey().partition() + "=" + e.getValue().offset())
                            .toList();
        } catch (Exception e) {
            return "offsets unknown: " + e;
        }
    }

    private static long eventTime(JsonNode n) {
        return Instant.parse(n.get("event_time").asText()).toEpochMilli();
    }

    /** What the job wrote on the anomaly topic, by record type. */
    private static final class Outputs {
        final String topic;
        final List<JsonNode> anomalies = new ArrayList<>();
        final List<JsonNode> alerts = new ArrayList<>();
        java.util.function.Supplier<String> diagnostics = () -> "";

        Outputs(String topic) {
            this.topic = topic;
        }

        List<JsonNode> opened(Incident i) {
            return of(i, "opened");
        }

        List<JsonNode> resolved(Incident i) {
            return of(i, "resolved");
        }

        /** Alert changes of the incident's key (any metric), opened within it. */
        private List<JsonNode> of(Incident i, String state) {
            return alerts.stream()
                    .filter(a -> a.get("state").asText().equals(state))
                    .filter(a -> a.get("service").asText().equals(i.service()))
                    // keyed by the model's name without its dated snapshot, as by default
                    .filter(
                            a ->
                                    a.get("model")
                                            .asText()
                                            .equals(
                                                    io.llmsentinel.functions.read.ModelNaming
                                                            .DEFAULT
                                                            .keyModel(i.model(), null)))
                    .filter(
                            a -> {
                                long opened =
                                        Instant.parse(a.get("opened_at").asText()).toEpochMilli();
                                return opened >= i.startMs() && opened <= i.endMs();
                            })
                    .toList();
        }

        /** Throughput judged on a window in which a key sent nothing (request rate 0). */
        List<JsonNode> emptyWindows() {
            return anomalies.stream()
                    .filter(a -> a.get("metric").asText().equals("request_rate"))
                    .filter(a -> a.get("value").asDouble() == 0)
                    .toList();
        }

        private int read() throws Exception {
            anomalies.clear();
            alerts.clear();
            for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topic)) {
                JsonNode n = JSON.readTree(r.value());
                switch (n.path("record_type").asText("anomaly")) {
                    case "alert" -> alerts.add(n);
                    case "anomaly" -> anomalies.add(n);
                    default -> {}
                }
            }
            return anomalies.size() + alerts.size();
        }

        /** How many anomalies each minute of event time has: what reached the job, and when. */
        private java.util.SortedMap<String, Integer> perMinute() {
            java.util.SortedMap<String, Integer> m = new java.util.TreeMap<>();
            for (JsonNode a : anomalies) {
                m.merge(a.get("event_time").asText().substring(11, 16), 1, Integer::sum);
            }
            return m;
        }

        /** Reads until {@code done} holds and nothing new came for 5 s; fails after 4 minutes. */
        void await(Predicate<Outputs> done, String what) throws Exception {
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
                                    + " anomalies (per minute of event time: "
                                    + perMinute()
                                    + "), alert changes "
                                    + alerts.stream()
                                            .map(
                                                    a ->
                                                            a.get("service").asText()
                                                                    + "/"
                                                                    + a.get("metric").asText()
                                                                    + ":"
                                                                    + a.get("state").asText()
                                                                    + "@"
                                                                    + a.get("event_time").asText())
                                            .toList()
                                    + "; "
                                    + diagnostics.get());
                }
                Thread.sleep(1_000);
            }
        }
    }
}
