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
import java.nio.file.Path;
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
                            hookArrivals.putIfAbsent(id, System.currentTimeMillis());
                            hookCopies.merge(id, 1, Integer::sum);
                            ex.sendResponseHeaders(204, -1);
                            ex.close();
                        }
                    }
                });
        receiver.start();

        InfluxTranslator translator = new InfluxTranslator(0, TestServers.INFLUXDB);
        int influxPort = translator.port();
        JobClient job = null;
        Connection consumer = null;
        long outageStart = 0;
        long outageEnd = 0;
        try {
            Map<String, String> env = new HashMap<>();
            env.put(
                    "SENTINEL_WEBHOOK_URL",
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
            env.put(
                    "SENTINEL_WEBHOOK_SECRET",
                    "whsec_" + Base64.getEncoder().encodeToString(new byte[24]));
            SentinelConfig config =
                    SentinelConfig.load(
                            null,
                            Map.ofEntries(
                                    Map.entry(
                                            "kafka.bootstrap-servers", KafkaTestBroker.bootstrap()),
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
                                    Map.entry("sinks.rabbitmq.exchange", exchange),
                                    Map.entry("sinks.rabbitmq.confirm-timeout", "5 s"),
                                    Map.entry("sinks.influxdb.enabled", "true"),
                                    Map.entry("sinks.influxdb.host", translator.url()),
                                    Map.entry("sinks.influxdb.database", db),
                                    Map.entry("sinks.redis.enabled", "true"),
                                    Map.entry("sinks.delivery.max-backoff", "3 s"),
                                    Map.entry("job.parallelism", "2")),
                            env::get);

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
            int redisCurrent) {

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
        try {
            JsonNode stored = TestServers.influxQuery(db, "SELECT anomaly_id FROM anomalies");
            for (JsonNode v :
                    stored.path("results").path(0).path("series").path(0).path("values")) {
                influx.add(v.get(1).asText());
            }
        } catch (Exception notYet) {
            // InfluxDB itself is never stopped here; an empty answer just means not yet
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
                current);
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
