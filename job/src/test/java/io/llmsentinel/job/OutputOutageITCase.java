package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.model.RedisKeys;
import io.llmsentinel.testkit.InfluxTranslator;
import io.llmsentinel.testkit.KafkaTestBroker;
import io.llmsentinel.testkit.MiniClusters;
import io.llmsentinel.testkit.TestServers;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;

/**
 * The whole job, unbounded, with every output on, while live telemetry with incidents flows; then
 * InfluxDB, RabbitMQ, the webhook endpoint and Redis go away together for 60 s (InfluxDB's door
 * closed, RabbitMQ and Redis stopped with scripts/services.sh, the webhook hanging mid-body and
 * then answering 503). The job runs without a restart strategy, so any failure would end it.
 * Asserts: it never fails, detection and the anomaly topic go on during the outage, and once the
 * servers are back every anomaly (by id) reaches InfluxDB, and every alert RabbitMQ and the
 * webhook.
 *
 * <p>scripts/chaos.sh runs the same test with {@code -Dsentinel.outage.seconds=600} and one output
 * at a time ({@code -Dsentinel.outage.outputs=influxdb}), and collects the summary line it prints.
 *
 * <p>A second case gives every output a tiny backlog and takes InfluxDB away: a full backlog sheds
 * to the dead-letter topic, and the other outputs, detection and checkpoints go on.
 */
class OutputOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final long OUTAGE_MS = Long.getLong("sentinel.outage.seconds", 60) * 1000;
    private static final Set<String> DOWN =
            Set.of(
                    System.getProperty("sentinel.outage.outputs", "influxdb,rabbitmq,webhook,redis")
                            .split(","));

    enum Hook {
        OK,
        HANG,
        UNAVAILABLE
    }

    @Test
    void outputsRideOutTheirServersOutage() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String exchange = "it-outage-" + run;
        String queue = exchange + ".all";
        String db = "it_" + run;
        TestServers.influxQuery("", "CREATE DATABASE " + db);

        // RabbitMQ: a durable queue for every alert, and a consumer that notes arrival times.
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setHost("127.0.0.1");
        try (Connection c = rabbit.newConnection("it-setup")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(exchange, "topic", true);
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, exchange, "#");
        }
        Map<String, Long> rabbitArrivals = new ConcurrentHashMap<>();
        Map<String, Integer> rabbitCopies = new ConcurrentHashMap<>();

        // The webhook receiver: OK, hanging mid-body, or 503, as the outage says.
        AtomicReference<Hook> hook = new AtomicReference<>(Hook.OK);
        Map<String, Long> hookArrivals = new ConcurrentHashMap<>();
        Map<String, Integer> hookCopies = new ConcurrentHashMap<>();
        HttpServer receiver = receiver(hook, hookArrivals, hookCopies);

        InfluxTranslator translator = new InfluxTranslator(0, TestServers.INFLUXDB);
        int influxPort = translator.port();
        JobClient job = null;
        Connection consumer = null;
        long outageStart = 0;
        long outageEnd = 0;
        try {
            SentinelConfig config =
                    config(topics, run, exchange, db, translator.url(), receiver, Map.of());

            // History, as fast as the broker takes it: baselines to judge the live traffic by.
            long start = System.currentTimeMillis() + 5_000;
            long outageAt = start + 25_000;
            long liveEnd = outageAt + OUTAGE_MS + 30_000;
            produce(topics.get(0), start - 300_000, start, List.of(), 11, false);

            StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
            Configuration noRestarts = new Configuration();
            noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            flink.configure(noRestarts);
            flink.enableCheckpointing(2_000);
            SentinelTopology.build(flink, config, JobIo.fromConfig(config, false));
            job = flink.executeAsync("sentinel-output-outage");

            consumer = rabbit.newConnection("it-consumer");
            Channel cch = consumer.createChannel();
            DeliverCallback onMessage =
                    (tag, m) -> {
                        String id = m.getProperties().getMessageId();
                        rabbitArrivals.putIfAbsent(id, System.currentTimeMillis());
                        rabbitCopies.merge(id, 1, Integer::sum);
                    };
            cch.basicConsume(queue, true, onMessage, tag -> {});

            // Live traffic; incidents before, during and after the outage.
            List<Incident> incidents = new ArrayList<>();
            incidents.add(
                    incident(Incident.Type.LATENCY_SPIKE, "support-bot", "gpt-4o", start + 8_000));
            for (long t = outageAt + 5_000; t < outageAt + OUTAGE_MS - 20_000; t += 60_000) {
                // services whose alerts are not open already
                incidents.add(incident(Incident.Type.LATENCY_SPIKE, "rag-api", "gpt-4o-mini", t));
                incidents.add(
                        incident(
                                Incident.Type.LATENCY_SPIKE,
                                "search-summarizer",
                                "gpt-4o-mini",
                                t + 20_000));
            }
            incidents.add(
                    incident(
                            Incident.Type.LATENCY_SPIKE,
                            "support-bot",
                            "gpt-4o",
                            liveEnd - 20_000));
            Thread traffic =
                    new Thread(
                            () -> {
                                try {
                                    produce(topics.get(0), start, liveEnd, incidents, 12, true);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            traffic.start();

            sleepUntil(outageAt);
            outageStart = System.currentTimeMillis();
            down(translator, hook, Hook.HANG);
            if (DOWN.contains("influxdb")) {
                translator = null;
            }
            sleepUntil(outageAt + OUTAGE_MS / 2);
            if (DOWN.contains("webhook")) {
                hook.set(Hook.UNAVAILABLE);
            }
            sleepUntil(outageAt + OUTAGE_MS);
            services("up", "rabbitmq", "redis");
            hook.set(Hook.OK);
            if (translator == null) {
                translator = new InfluxTranslator(influxPort, TestServers.INFLUXDB);
            }
            outageEnd = System.currentTimeMillis();
            if (DOWN.contains("rabbitmq")) {
                // the broker dropped our consumer with it: consume again
                consumer.abort();
                consumer = rabbit.newConnection("it-consumer-2");
                consumer.createChannel().basicConsume(queue, true, onMessage, tag -> {});
            }
            // How long until what was written before the servers came back has reached them.
            long caughtUpMs = -1;
            while (System.currentTimeMillis() < outageEnd + 120_000) {
                Outputs now = outputs(topics.get(2), db, rabbitArrivals, hookArrivals, outageStart);
                if (now.completeUntil(outageEnd)) {
                    caughtUpMs = System.currentTimeMillis() - outageEnd;
                    break;
                }
                Thread.sleep(1_000);
            }
            traffic.join();
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                    .as("the job after the outage")
                    .isEqualTo(JobStatus.RUNNING);

            // Every anomaly and alert of the anomaly topic, at every output.
            long deadline = System.currentTimeMillis() + 180_000;
            Outputs seen;
            while (true) {
                Thread.sleep(5_000);
                seen = outputs(topics.get(2), db, rabbitArrivals, hookArrivals, outageStart);
                if (seen.complete() || System.currentTimeMillis() > deadline) {
                    break;
                }
            }
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                    .as("the job, still running: it never failed")
                    .isEqualTo(JobStatus.RUNNING);

            long duringOutage = seen.detectedBetween(outageStart, outageEnd);
            final long from = outageStart;
            final long to = outageEnd;
            long alertsDuringOutage =
                    seen.alertsToDeliver.entrySet().stream()
                            .filter(e -> !e.getKey().endsWith(":resolved"))
                            .filter(e -> e.getValue() >= from && e.getValue() <= to)
                            .count();
            String summary =
                    String.format(
                            "outage %s for %d s: restarts=0 anomalies_during_outage=%d"
                                    + " alerts_during_outage=%d anomalies=%d alerts=%d"
                                    + " influx_missing=%d"
                                    + " rabbitmq_missing=%d rabbitmq_duplicates=%d"
                                    + " webhook_missing=%d webhook_duplicates=%d"
                                    + " redis_services_current=%d/%d max_delivery_delay_s=%.1f"
                                    + " caught_up_s=%.1f",
                            String.join("+", new java.util.TreeSet<>(DOWN)),
                            OUTAGE_MS / 1000,
                            duringOutage,
                            alertsDuringOutage,
                            seen.anomalies.size(),
                            seen.alertsToDeliver.size(),
                            seen.influxMissing.size(),
                            seen.rabbitMissing.size(),
                            duplicates(rabbitCopies),
                            seen.hookMissing.size(),
                            duplicates(hookCopies),
                            seen.redisCurrent,
                            seen.redisServices,
                            seen.maxDelayMs(rabbitArrivals, hookArrivals) / 1000.0,
                            caughtUpMs / 1000.0);
            System.out.println(summary);

            assertThat(duringOutage).as("anomalies detected during the outage").isPositive();
            assertThat(caughtUpMs)
                    .as("caught up within 120 s of the servers' return")
                    .isNotNegative();
            assertThat(alertsDuringOutage).as("alerts opened during the outage").isPositive();
            assertThat(seen.influxMissing).as("anomalies missing in InfluxDB").isEmpty();
            assertThat(seen.rabbitMissing).as("alerts missing in RabbitMQ").isEmpty();
            assertThat(seen.hookMissing).as("alerts missing at the webhook").isEmpty();
            assertThat(seen.redisCurrent)
                    .as("services current in Redis")
                    .isEqualTo(seen.redisServices);
        } finally {
            if (job != null) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            if (translator != null) {
                translator.close();
            }
            // Whatever happened, the servers are up again for the tests after this one.
            services("up", "rabbitmq", "redis");
            if (consumer != null && consumer.isOpen()) {
                consumer.abort();
            }
            receiver.stop(0);
            TestServers.influxQuery("", "DROP DATABASE " + db);
            try (Connection c = rabbit.newConnection("it-cleanup")) {
                Channel ch = c.createChannel();
                ch.queueDelete(queue);
                ch.exchangeDelete(exchange);
            }
        }
    }

    /**
     * A full backlog sheds instead of holding the job back: with {@code max-backlog} at {@value
     * #TINY_BACKLOG} and InfluxDB away while incidents happen, the InfluxDB outputs fill up at
     * once. Asserts: the job never fails; alerts opened during the outage reach RabbitMQ and the
     * webhook within seconds (detection goes on); checkpoints go on completing; the points InfluxDB
     * did not get are on the dead-letter topic with reason backlog_full, each with its line; and
     * once InfluxDB is back, every anomaly of the anomaly topic is in InfluxDB or among those dead
     * letters (nothing lost unseen). With {@code sinks.delivery.when-full: wait} the InfluxDB sink
     * would block, detection would stop, and the alerts and checkpoints with it.
     */
    @Test
    void aFullBacklogShedsInsteadOfHoldingBackTheOtherOutputs() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String exchange = "it-shed-" + run;
        String queue = exchange + ".all";
        String db = "it_" + run;
        TestServers.influxQuery("", "CREATE DATABASE " + db);
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setHost("127.0.0.1");
        try (Connection c = rabbit.newConnection("it-setup")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(exchange, "topic", true);
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, exchange, "#");
        }
        Map<String, Long> rabbitArrivals = new ConcurrentHashMap<>();
        Map<String, Long> hookArrivals = new ConcurrentHashMap<>();
        HttpServer receiver =
                receiver(new AtomicReference<>(Hook.OK), hookArrivals, new ConcurrentHashMap<>());
        InfluxTranslator translator = new InfluxTranslator(0, TestServers.INFLUXDB);
        int influxPort = translator.port();
        long outageMs = 50_000;
        JobClient job = null;
        Connection consumer = null;
        try {
            SentinelConfig config =
                    config(
                            topics,
                            run,
                            exchange,
                            db,
                            translator.url(),
                            receiver,
                            Map.of(
                                    "sinks.delivery.max-backlog",
                                    Integer.toString(TINY_BACKLOG),
                                    "sinks.redis.enabled",
                                    "false",
                                    // The native input stays empty: with the default minute of
                                    // idleness it would hold event time, and with it the history's
                                    // judgement and every live alert, until 40 s into the outage.
                                    "event-time.idleness",
                                    "5 s"));
            long start = System.currentTimeMillis() + 5_000;
            long outageAt = start + 20_000;
            long liveEnd = outageAt + outageMs + 15_000;
            produce(topics.get(0), start - 300_000, start, List.of(), 21, false);

            StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
            Configuration noRestarts = new Configuration();
            noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            flink.configure(noRestarts);
            flink.enableCheckpointing(2_000);
            SentinelTopology.build(flink, config, JobIo.fromConfig(config, false));
            job = flink.executeAsync("sentinel-full-backlog");

            consumer = rabbit.newConnection("it-consumer");
            consumer.createChannel()
                    .basicConsume(
                            queue,
                            true,
                            (tag, m) ->
                                    rabbitArrivals.putIfAbsent(
                                            m.getProperties().getMessageId(),
                                            System.currentTimeMillis()),
                            tag -> {});

            // Incidents on four services during the outage: many anomalies, alerts that open.
            List<Incident> incidents = new ArrayList<>();
            String[][] targets = {
                {"rag-api", "gpt-4o-mini"},
                {"search-summarizer", "gpt-4o-mini"},
                {"support-bot", "gpt-4o"},
                {"code-assistant", "claude-3-5-sonnet-20241022"}
            };
            for (int i = 0; i < targets.length; i++) {
                incidents.add(
                        incident(
                                Incident.Type.LATENCY_SPIKE,
                                targets[i][0],
                                targets[i][1],
                                outageAt + 3_000 + i * 8_000L));
            }
            Thread traffic =
                    new Thread(
                            () -> {
                                try {
                                    produce(topics.get(0), start, liveEnd, incidents, 22, true);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            traffic.start();

            sleepUntil(outageAt);
            long outageStart = System.currentTimeMillis();
            translator.close();
            translator = null;
            sleepUntil(outageAt + 15_000); // the InfluxDB backlogs are full by now
            long checkpointsThen = completedCheckpoints(job);
            sleepUntil(outageAt + outageMs);
            long checkpointsDuring = completedCheckpoints(job) - checkpointsThen;
            long outageEnd = System.currentTimeMillis();
            translator = new InfluxTranslator(influxPort, TestServers.INFLUXDB);
            traffic.join();

            // Once InfluxDB has caught up: every anomaly is in InfluxDB or shed with its reason.
            Outputs seen;
            Map<String, JsonNode> shedNow;
            long deadline = System.currentTimeMillis() + 120_000;
            while (true) {
                Thread.sleep(3_000);
                seen = outputs(topics.get(2), db, rabbitArrivals, hookArrivals, outageStart);
                shedNow = shedAnomalies(topics.get(3));
                if (shedNow.keySet().containsAll(seen.influxMissing)
                        || System.currentTimeMillis() > deadline) {
                    break;
                }
            }
            final Map<String, JsonNode> shed = shedNow;
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                    .as("the job, still running: it never failed")
                    .isEqualTo(JobStatus.RUNNING);

            final long from = outageStart;
            final long until = outageEnd - 10_000; // time for the last ones to arrive
            Map<String, Long> openedDuringOutage = new TreeMap<>();
            seen.alertsToDeliver.forEach(
                    (id, at) -> {
                        if (!id.endsWith(":resolved") && at >= from && at <= until) {
                            openedDuringOutage.put(id, at);
                        }
                    });
            List<String> late =
                    openedDuringOutage.entrySet().stream()
                            .filter(
                                    a ->
                                            !arrivedWithin(rabbitArrivals, a, 10_000)
                                                    || !arrivedWithin(hookArrivals, a, 10_000))
                            .map(Map.Entry::getKey)
                            .toList();
            long shedDuringOutage = shed.size();
            final Outputs last = seen;
            // What a failure needs to be understood: when the alerts and the missing points were
            // detected (s from the outage's start), and every dead letter of the anomaly points.
            System.out.printf(
                    "full backlog diagnostics: alerts_opened_at_s=%s influx_dead_letters=%s"
                            + " influx_query_error=%s missing_not_shed_detected_at_s=%s%n",
                    last.alertsToDeliver.entrySet().stream()
                            .filter(a -> !a.getKey().endsWith(":resolved"))
                            .map(a -> Long.toString((a.getValue() - from) / 1000))
                            .toList(),
                    influxDeadLetterReasons(topics.get(3)),
                    last.influxError,
                    last.influxMissing.stream()
                            .filter(id -> !shed.containsKey(id))
                            .map(id -> (last.anomalies.getOrDefault(id, 0L) - from) / 1000)
                            .sorted()
                            .limit(40)
                            .toList());
            System.out.printf(
                    "full backlog (max-backlog %d, InfluxDB away %d s): anomalies_during_outage=%d"
                            + " alerts_opened_during_outage=%d alerts_late=%d"
                            + " checkpoints_completed_during_outage=%d anomalies_shed=%d"
                            + " influx_missing=%d influx_missing_not_shed=%d%n",
                    TINY_BACKLOG,
                    outageMs / 1000,
                    seen.detectedBetween(outageStart, outageEnd),
                    openedDuringOutage.size(),
                    late.size(),
                    checkpointsDuring,
                    shedDuringOutage,
                    seen.influxMissing.size(),
                    seen.influxMissing.stream().filter(id -> !shed.containsKey(id)).count());

            assertThat(seen.detectedBetween(outageStart, outageEnd))
                    .as("anomalies detected during the outage: more than the backlogs hold")
                    .isGreaterThan(2L * TINY_BACKLOG);
            assertThat(openedDuringOutage).as("alerts opened during the outage").isNotEmpty();
            assertThat(late)
                    .as(
                            "alerts opened during the outage that reached RabbitMQ or the webhook"
                                    + " more than 10 s after detection, or not at all")
                    .isEmpty();
            assertThat(checkpointsDuring)
                    .as("checkpoints completed while InfluxDB was away (every 2 s)")
                    .isGreaterThanOrEqualTo(5);
            assertThat(shedDuringOutage).as("anomalies shed to the dead-letter topic").isPositive();
            assertThat(shed.values())
                    .as("the dead letters say which output shed them and why")
                    .allSatisfy(
                            d ->
                                    assertThat(d.path("detail").asText())
                                            .contains("InfluxDB anomalies")
                                            .contains("backlog full"));
            assertThat(shed.keySet())
                    .as("shed points are anomalies of the anomaly topic")
                    .allMatch(seen.anomalies::containsKey);
            assertThat(seen.influxMissing)
                    .as("anomalies neither in InfluxDB nor on the dead-letter topic")
                    .allMatch(shed::containsKey);
        } finally {
            if (job != null) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            if (translator != null) {
                translator.close();
            }
            if (consumer != null && consumer.isOpen()) {
                consumer.abort();
            }
            receiver.stop(0);
            TestServers.influxQuery("", "DROP DATABASE " + db);
            try (Connection c = rabbit.newConnection("it-cleanup")) {
                Channel ch = c.createChannel();
                ch.queueDelete(queue);
                ch.exchangeDelete(exchange);
            }
        }
    }

    /** Whether the alert {@code a} (id, detection time) arrived within {@code ms}. */
    private static boolean arrivedWithin(
            Map<String, Long> arrivals, Map.Entry<String, Long> a, long ms) {
        Long at = arrivals.get(a.getKey());
        return at != null && at - a.getValue() <= ms;
    }

    /**
     * Records per output and subtask in {@link
     * #aFullBacklogShedsInsteadOfHoldingBackTheOtherOutputs}.
     */
    static final int TINY_BACKLOG = 8;

    /**
     * The dead letters with reason backlog_full of InfluxDB anomaly points, by the anomaly id in
     * their line protocol.
     */
    private static Map<String, JsonNode> shedAnomalies(String deadLetterTopic) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(deadLetterTopic)) {
            JsonNode d = JSON.readTree(r.value());
            if (!d.path("reason").asText().equals("backlog_full")
                    || !d.path("source_topic").asText().equals("influxdb:anomalies")) {
                continue;
            }
            String line =
                    new String(
                            Base64.getDecoder().decode(d.path("payload_base64").asText()),
                            java.nio.charset.StandardCharsets.UTF_8);
            int at = line.indexOf("anomaly_id=\"");
            if (at >= 0) {
                int from = at + "anomaly_id=\"".length();
                out.put(line.substring(from, line.indexOf('"', from)), d);
            }
        }
        return out;
    }

    /** The dead letters of InfluxDB anomaly points, counted by reason. */
    private static Map<String, Integer> influxDeadLetterReasons(String deadLetterTopic)
            throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(deadLetterTopic)) {
            JsonNode d = JSON.readTree(r.value());
            if (d.path("source_topic").asText().equals("influxdb:anomalies")) {
                out.merge(
                        d.path("reason").asText(), d.path("invalid_count").asInt(1), Integer::sum);
            }
        }
        return out;
    }

    /** Checkpoints the job has completed so far, from the MiniCluster's REST API. */
    private static long completedCheckpoints(JobClient job) throws Exception {
        Configuration c = FLINK.getClientConfiguration();
        URI uri =
                URI.create(
                        "http://"
                                + c.get(RestOptions.ADDRESS)
                                + ":"
                                + c.get(RestOptions.PORT)
                                + "/jobs/"
                                + job.getJobID()
                                + "/checkpoints");
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("counts").path("completed").asLong(-1);
    }

    /** The job's configuration for these tests; {@code more} on top. */
    private static SentinelConfig config(
            List<String> topics,
            String run,
            String exchange,
            String db,
            String influxUrl,
            HttpServer receiver,
            Map<String, String> more) {
        Map<String, String> env = new HashMap<>();
        env.put(
                "SENTINEL_WEBHOOK_URL",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        env.put(
                "SENTINEL_WEBHOOK_SECRET",
                "whsec_" + Base64.getEncoder().encodeToString(new byte[24]));
        Map<String, String> overrides =
                new HashMap<>(
                        Map.ofEntries(
                                Map.entry("kafka.bootstrap-servers", KafkaTestBroker.bootstrap()),
                                Map.entry("kafka.starting-offsets", "earliest"),
                                Map.entry("kafka.group-id", "it-" + run),
                                Map.entry("inputs.otlp-traces.topic", topics.get(0)),
                                Map.entry("inputs.native-events.topic", topics.get(1)),
                                Map.entry("sinks.kafka.topic", topics.get(2)),
                                Map.entry("sinks.kafka.transactional-id-prefix", "it-" + run),
                                Map.entry("dead-letter.topic", topics.get(3)),
                                Map.entry("sinks.console.enabled", "false"),
                                Map.entry("inputs.otlp-metrics.enabled", "false"),
                                Map.entry("control.topic", topics.get(0) + "-control"),
                                Map.entry("sinks.rabbitmq.enabled", "true"),
                                // every alert change, counted one by one at each output
                                Map.entry("alerts.deliver", "alerts"),
                                Map.entry("sinks.rabbitmq.exchange", exchange),
                                Map.entry("sinks.rabbitmq.confirm-timeout", "5 s"),
                                Map.entry("sinks.influxdb.enabled", "true"),
                                Map.entry("sinks.influxdb.host", influxUrl),
                                Map.entry("sinks.influxdb.database", db),
                                Map.entry("sinks.redis.enabled", "true"),
                                Map.entry("sinks.delivery.max-backoff", "3 s"),
                                Map.entry("job.parallelism", "2")));
        overrides.putAll(more);
        return SentinelConfig.load(null, overrides, env::get);
    }

    /**
     * The webhook receiver: OK (noting arrivals), hanging mid-body, or 503, as {@code hook} says.
     */
    private static HttpServer receiver(
            AtomicReference<Hook> hook, Map<String, Long> arrivals, Map<String, Integer> copies)
            throws java.io.IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext(
                "/hook",
                ex -> {
                    ex.getRequestBody().readAllBytes();
                    String id = ex.getRequestHeaders().getFirst("webhook-id");
                    switch (hook.get()) {
                        case HANG -> {
                            ex.sendResponseHeaders(200, 1 << 20);
                            ex.getResponseBody().write(new byte[16]);
                            ex.getResponseBody().flush();
                            sleep(OUTAGE_MS);
                            ex.close();
                        }
                        case UNAVAILABLE -> {
                            ex.sendResponseHeaders(503, -1);
                            ex.close();
                        }
                        case OK -> {
                            arrivals.putIfAbsent(id, System.currentTimeMillis());
                            copies.merge(id, 1, Integer::sum);
                            ex.sendResponseHeaders(204, -1);
                            ex.close();
                        }
                    }
                });
        receiver.start();
        return receiver;
    }

    private static Incident incident(Incident.Type type, String service, String model, long at) {
        return new Incident(type, service, model, at, at + 15_000);
    }

    /** Takes the chosen outputs' servers away. */
    private static void down(InfluxTranslator translator, AtomicReference<Hook> hook, Hook how)
            throws Exception {
        if (DOWN.contains("influxdb")) {
            translator.close();
        }
        if (DOWN.contains("webhook")) {
            hook.set(how);
        }
        if (DOWN.contains("rabbitmq")) {
            services("down", "rabbitmq");
        }
        if (DOWN.contains("redis")) {
            services("down", "redis");
        }
    }

    /** What reached each output, compared with the anomaly topic. */
    private record Outputs(
            Map<String, Long> anomalies,
            Map<String, Long> alertsToDeliver,
            Set<String> influxMissing,
            Set<String> rabbitMissing,
            Set<String> hookMissing,
            int redisServices,
            int redisCurrent,
            String influxError) {

        /** Whether everything detected or changed until {@code t} has reached its outputs. */
        boolean completeUntil(long t) {
            return influxMissing.stream().allMatch(id -> anomalies.getOrDefault(id, 0L) > t)
                    && rabbitMissing.stream()
                            .allMatch(id -> alertsToDeliver.getOrDefault(id, 0L) > t)
                    && hookMissing.stream()
                            .allMatch(id -> alertsToDeliver.getOrDefault(id, 0L) > t);
        }

        boolean complete() {
            return influxMissing.isEmpty()
                    && rabbitMissing.isEmpty()
                    && hookMissing.isEmpty()
                    && redisCurrent == redisServices;
        }

        long detectedBetween(long from, long to) {
            return anomalies.values().stream().filter(t -> t >= from && t <= to).count();
        }

        /** The longest time from an alert change to its arrival at RabbitMQ or the webhook. */
        long maxDelayMs(Map<String, Long> rabbit, Map<String, Long> hook) {
            long max = 0;
            for (Map.Entry<String, Long> a : alertsToDeliver.entrySet()) {
                if (a.getKey().endsWith(":resolved")) {
                    continue; // a resolution's own time is not in the record
                }
                for (Map<String, Long> arrivals : List.of(rabbit, hook)) {
                    Long at = arrivals.get(a.getKey());
                    if (at != null) {
                        max = Math.max(max, at - a.getValue());
                    }
                }
            }
            return max;
        }
    }

    /**
     * @param since Redis is checked for the services with anomalies since then: a Redis stopped
     *     without persistence (as here) forgets what it held, which is not the job's to restore
     */
    private static Outputs outputs(
            String topic, String db, Map<String, Long> rabbit, Map<String, Long> hook, long since)
            throws Exception {
        Map<String, Long> anomalies = new LinkedHashMap<>();
        Map<String, Long> alerts = new LinkedHashMap<>();
        Map<String, TreeMap<Long, String>> newestPerService = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topic)) {
            JsonNode a = JSON.readTree(r.value());
            if ("alert".equals(a.path("record_type").asText())) {
                if (Severity.parse(a.path("severity").asText()).ordinal()
                        < Severity.MEDIUM.ordinal()) {
                    continue; // RabbitMQ and the webhook take medium and above
                }
                boolean resolved = a.get("state").asText().equals("resolved");
                String id =
                        resolved
                                ? a.get("alert_id").asText() + ":resolved"
                                : a.path("anomaly").get("anomaly_id").asText();
                long changedAt =
                        resolved
                                ? r.timestamp()
                                : Instant.parse(a.path("anomaly").get("detected_at").asText())
                                        .toEpochMilli();
                alerts.put(id, changedAt);
            } else {
                String id = a.get("anomaly_id").asText();
                anomalies.put(id, Instant.parse(a.get("detected_at").asText()).toEpochMilli());
                long detected = Instant.parse(a.get("detected_at").asText()).toEpochMilli();
                if (detected >= since) {
                    newestPerService
                            .computeIfAbsent(a.get("service").asText(), x -> new TreeMap<>())
                            .put(detected, id);
                }
            }
        }
        Set<String> influx = new HashSet<>();
        String influxError = null;
        try {
            JsonNode stored = TestServers.influxQuery(db, "SELECT anomaly_id FROM anomalies");
            for (JsonNode v :
                    stored.path("results").path(0).path("series").path(0).path("values")) {
                influx.add(v.get(1).asText());
            }
        } catch (Exception notYet) {
            // InfluxDB itself is never stopped here; an empty answer just means not yet
            influxError = notYet.toString();
        }
        Set<String> influxMissing = new HashSet<>(anomalies.keySet());
        influxMissing.removeAll(influx);
        Set<String> rabbitMissing = new HashSet<>(alerts.keySet());
        rabbitMissing.removeAll(rabbit.keySet());
        Set<String> hookMissing = new HashSet<>(alerts.keySet());
        hookMissing.removeAll(hook.keySet());
        int current = 0;
        try (JedisPooled redis = new JedisPooled(TestServers.REDIS_HOST, TestServers.REDIS_PORT)) {
            for (Map.Entry<String, TreeMap<Long, String>> e : newestPerService.entrySet()) {
                String newest = e.getValue().lastEntry().getValue();
                List<String> recent = redis.lrange(RedisKeys.recentAnomalies(e.getKey()), 0, -1);
                if (recent.stream().anyMatch(j -> j.contains(newest))) {
                    current++;
                }
            }
        } catch (RuntimeException redisNotBackYet) {
            current = -1;
        }
        return new Outputs(
                anomalies,
                alerts,
                influxMissing,
                rabbitMissing,
                hookMissing,
                newestPerService.size(),
                current,
                influxError);
    }

    private static int duplicates(Map<String, Integer> copies) {
        return copies.values().stream().mapToInt(n -> n - 1).sum();
    }

    private static void produce(
            String topic, long from, long to, List<Incident> incidents, long seed, boolean live)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 4)) {
            for (long t = from; t < to; t += 50) {
                if (live) {
                    sleepUntil(t);
                }
                producer.send(new ProducerRecord<>(topic, 0, t, null, gen.nextMessage(t)));
            }
            producer.flush();
        }
    }

    private static void sleepUntil(long at) {
        sleep(at - System.currentTimeMillis());
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** scripts/services.sh with the given arguments. */
    static void services(String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("bash", ROOT.resolve("scripts/services.sh").toString()));
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(new File("target/outage-services-" + args[0] + ".log"))
                        .start();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("services.sh " + String.join(" ", args) + " failed");
        }
    }
}
