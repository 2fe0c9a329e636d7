package io.llmsentinel.job;

import static io.llmsentinel.job.LocalCluster.awaitConsumed;
import static io.llmsentinel.job.LocalCluster.jobIdIn;
import static io.llmsentinel.job.LocalCluster.restarts;
import static io.llmsentinel.job.LocalCluster.run;
import static io.llmsentinel.job.LocalCluster.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.llmsentinel.devtools.generator.BadMessages;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.testkit.KafkaTestBroker;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a single message or a crashed machine does to the job on a real session cluster
 * (scripts/cluster.sh): the two reproductions of issue 12 (a 915 KB batch with one bad span, a
 * 70,000-character service name) and a span a day ahead must each cost one dead letter and nothing
 * else; a TaskManager killed with {@code kill -9} mid-stream must cost neither an anomaly nor an
 * alert.
 */
class ClusterRobustnessITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean startedCluster;

    @BeforeAll
    static void cluster() throws Exception {
        startedCluster = LocalCluster.up();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        LocalCluster.cleanUp(startedCluster);
    }

    /**
     * The job's arguments for these tests. Their input is one partition read in order, much of it
     * older than a minute when read: as a backlog it would wait for event time (which the empty
     * native-events input holds for its idleness after each start) and a run cancelled early would
     * leave its end unjudged; judged as it comes, every run judges every request. The backlog's
     * order is OrderIndependenceITCase's.
     */
    private static List<String> args(List<String> topics, String run, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of("--event-time.catch-up-lag", "0 s"));
        return LocalCluster.jobArgs(topics, run, all.toArray(new String[0]));
    }

    private static String submit(List<String> args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("scripts/submit.sh", LocalCluster.JAR.toString()));
        cmd.addAll(args);
        return jobIdIn(run(180, cmd.toArray(new String[0])));
    }

    @Test
    void poisonMessagesCostADeadLetterEachAndNothingElse() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        String otlp = topics.get(0);
        String job = submit(args(topics, otlp));

        // Ordinary traffic (event time ending 45 s ago), then the poison, then a latency spike.
        long now = System.currentTimeMillis();
        produce(otlp, now - 105_000, now - 45_000, List.of(), 1);
        byte[] large = BadMessages.largeBatchWithOneBadSpan("support-bot", 96, now - 44_000);
        assertThat(large.length).isBetween(880_000, 1_000_000);
        long largeOffset;
        try (KafkaProducer<byte[], byte[]> p = KafkaTestBroker.producer()) {
            RecordMetadata m =
                    p.send(new ProducerRecord<>(otlp, 0, now - 44_000, null, large))
                            .get(60, TimeUnit.SECONDS);
            largeOffset = m.offset();
            p.send(
                            new ProducerRecord<>(
                                    otlp,
                                    0,
                                    now - 44_000,
                                    null,
                                    BadMessages.hugeServiceName(70_000, now - 44_000)))
                    .get(60, TimeUnit.SECONDS);
            p.send(
                            new ProducerRecord<>(
                                    otlp,
                                    0,
                                    now,
                                    null,
                                    BadMessages.spanFromTheFuture(
                                            "support-bot", now, 24 * 3600_000L)))
                    .get(60, TimeUnit.SECONDS);
        }
        long spike = now - 40_000;
        produce(
                otlp,
                spike,
                spike + 20_000,
                List.of(
                        new Incident(
                                Incident.Type.LATENCY_SPIKE,
                                "support-bot",
                                "gpt-4o",
                                spike,
                                spike + 20_000)),
                2);
        awaitConsumed(otlp, "e2e-" + otlp);
        Thread.sleep(15_000); // a checkpoint or two: the exactly-once topic commits on them

        assertThat(state(job)).isEqualTo("RUNNING");
        assertThat(restarts(job)).as("restarts of the job").isZero();

        Map<String, JsonNode> deadByReason = new HashMap<>();
        JsonNode largeDead = null;
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(3))) {
            JsonNode d = JSON.readTree(r.value());
            deadByReason.put(d.get("reason").asText(), d);
            if (d.get("source_offset").asLong() == largeOffset
                    && d.get("source_partition").asInt() == 0) {
                largeDead = d;
            }
        }
        assertThat(largeDead).as("the 915 KB batch's dead letter").isNotNull();
        assertThat(largeDead.get("reason").asText()).isEqualTo("invalid_value");
        assertThat(largeDead.get("invalid_count").asInt()).isEqualTo(1);
        assertThat(largeDead.get("size_bytes").asInt()).isEqualTo(large.length);
        assertThat(largeDead.get("sha256").asText())
                .isEqualTo(
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(large)));
        assertThat(largeDead.get("payload_truncated").asBoolean()).isTrue();
        assertThat(largeDead.get("payload_bytes").asInt()).isLessThanOrEqualTo(65_536);
        assertThat(deadByReason).containsKey("clock_skew");

        // Detection went on: the spike after the poison is caught.
        List<JsonNode> spikeAnomalies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(2))) {
            JsonNode a = JSON.readTree(r.value());
            if (!"alert".equals(a.path("record_type").asText())
                    && a.get("service").asText().equals("support-bot")
                    && a.get("metric").asText().equals("latency_ms")
                    && Instant.parse(a.get("event_time").asText()).toEpochMilli() >= spike) {
                spikeAnomalies.add(a);
            }
        }
        assertThat(spikeAnomalies).as("latency anomalies after the poison messages").isNotEmpty();
        System.out.printf(
                "poison messages: job %s RUNNING, %d restarts, dead letters %s, %d spike"
                        + " anomalies after them%n",
                job, restarts(job), deadByReason.keySet(), spikeAnomalies.size());
        run(60, "scripts/flink.sh", "cancel", job);
    }

    /**
     * {@code kill -9} of the TaskManager while telemetry streams in: the job restarts from its last
     * checkpoint on the TaskManager started again, and afterwards the anomaly topic holds exactly
     * the anomalies, and RabbitMQ every alert, that a run without the crash produces from the same
     * input.
     */
    @Test
    void aKilledTaskManagerLosesNoAnomalyAndNoAlert() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        List<String> reference = KafkaTestBroker.createTopics("anomalies");
        String otlp = topics.get(0);
        String exchange = "it-crash-" + otlp;
        String queue = exchange + ".all";
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setHost("127.0.0.1");
        try (Connection c = rabbit.newConnection("it-setup")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(exchange, "topic", true);
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, exchange, "#");
        }

        // History first (fast), then 50 s of live traffic with incidents, the crash in the middle.
        long start = System.currentTimeMillis();
        produce(otlp, start - 240_000, start - 5_000, List.of(), 3);
        String job =
                submit(
                        args(
                                topics,
                                otlp,
                                "--sinks.rabbitmq.enabled",
                                "true",
                                "--sinks.rabbitmq.exchange",
                                exchange,
                                "--alerts.deliver",
                                "alerts",
                                "--alerts.quiet-start.min-age",
                                "60 s"));
        List<Incident> incidents =
                List.of(
                        new Incident(
                                Incident.Type.LATENCY_SPIKE,
                                "support-bot",
                                "gpt-4o",
                                start + 5_000,
                                start + 20_000),
                        new Incident(
                                Incident.Type.ERROR_BURST,
                                "code-assistant",
                                "claude-3-5-sonnet-20241022",
                                start + 25_000,
                                start + 40_000));
        Thread killer =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(22_000);
                                run(30, "scripts/cluster.sh", "kill-tm", "1");
                                Thread.sleep(3_000);
                                run(180, "scripts/cluster.sh", "start-tm", "1");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        killer.start();
        produceLive(otlp, start - 5_000, start + 45_000, incidents, 4);
        killer.join();
        awaitConsumed(otlp, "e2e-" + otlp);
        Thread.sleep(20_000); // checkpoints commit the exactly-once topic; RabbitMQ drains
        long crashRestarts = restarts(job);
        assertThat(crashRestarts).as("the crash restarted the job").isPositive();
        assertThat(state(job)).isEqualTo("RUNNING");
        run(60, "scripts/flink.sh", "cancel", job);

        // The reference: the same input, no crash.
        List<String> refTopics = List.of(otlp, topics.get(1), reference.get(0), topics.get(3));
        String refRun = "ref-" + otlp;
        String ref = submit(args(refTopics, refRun, "--alerts.quiet-start.min-age", "60 s"));
        awaitConsumed(otlp, "e2e-" + refRun);
        Thread.sleep(20_000);
        run(60, "scripts/flink.sh", "cancel", ref);

        Ids crashed = ids(topics.get(2));
        Ids expected = ids(reference.get(0));
        Set<String> rabbitIds = new HashSet<>();
        int rabbitMessages = 0;
        try (Connection c = rabbit.newConnection("it-check")) {
            Channel ch = c.createChannel();
            for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
                rabbitIds.add(r.getProps().getMessageId());
                rabbitMessages++;
            }
            ch.queueDelete(queue);
            ch.exchangeDelete(exchange);
        }
        Set<String> missingAnomalies = new HashSet<>(expected.anomalies);
        missingAnomalies.removeAll(crashed.anomalies);
        Set<String> missingAlerts = new HashSet<>(crashed.alertsForRabbit);
        missingAlerts.removeAll(rabbitIds);
        System.out.printf(
                "killed TaskManager: restarts=%d anomalies=%d alerts=%d"
                        + " kafka_missing=%d kafka_unexpected=%d kafka_duplicates=%d"
                        + " rabbitmq_missing=%d rabbitmq_duplicates=%d%n",
                crashRestarts,
                crashed.anomalies.size(),
                crashed.alerts.size(),
                missingAnomalies.size(),
                crashed.anomalies.size() - expected.anomalies.size() + missingAnomalies.size(),
                crashed.duplicates,
                missingAlerts.size(),
                rabbitMessages - rabbitIds.size());

        assertThat(expected.anomalies).isNotEmpty();
        assertThat(expected.alerts)
                .as("the incidents alert (after a 60 s quiet start)")
                .isNotEmpty();
        assertThat(crashed.duplicates).as("exactly once on the anomaly topic").isZero();
        assertThat(crashed.anomalies).isEqualTo(expected.anomalies);
        assertThat(crashed.alerts).isEqualTo(expected.alerts);
        assertThat(rabbitIds)
                .as("every alert of medium severity or more")
                .isEqualTo(crashed.alertsForRabbit);
    }

    private record Ids(
            Set<String> anomalies,
            Set<String> alerts,
            Set<String> alertsForRabbit,
            int duplicates) {}

    private static Ids ids(String topic) throws Exception {
        Set<String> anomalies = new HashSet<>();
        Set<String> alerts = new HashSet<>();
        Set<String> forRabbit = new HashSet<>();
        int records = 0;
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topic)) {
            JsonNode a = JSON.readTree(r.value());
            records++;
            if ("alert".equals(a.path("record_type").asText())) {
                String id =
                        a.get("state").asText().equals("resolved")
                                ? a.get("alert_id").asText() + ":resolved"
                                : a.path("anomaly").get("anomaly_id").asText();
                alerts.add(id);
                if (Severity.parse(a.path("severity").asText()).ordinal()
                        >= Severity.MEDIUM.ordinal()) {
                    forRabbit.add(id);
                }
            } else {
                anomalies.add(a.get("anomaly_id").asText());
            }
        }
        return new Ids(anomalies, alerts, forRabbit, records - anomalies.size() - alerts.size());
    }

    /** Generated telemetry between two event times, as fast as the broker takes it. */
    private static void produce(
            String topic, long from, long to, List<Incident> incidents, long seed)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 4)) {
            for (long t = from; t < to; t += 50) {
                sent.add(
                        producer.send(new ProducerRecord<>(topic, 0, t, null, gen.nextMessage(t))));
            }
            producer.flush();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** The same, in real time: each message sent when its event time comes. */
    private static void produceLive(
            String topic, long from, long to, List<Incident> incidents, long seed)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 4)) {
            for (long t = from; t < to; t += 50) {
                long wait = t - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                producer.send(new ProducerRecord<>(topic, 0, t, null, gen.nextMessage(t)));
            }
            producer.flush();
        }
    }
}
