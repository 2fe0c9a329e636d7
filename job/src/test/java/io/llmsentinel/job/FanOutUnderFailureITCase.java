package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.model.RedisKeys;
import io.llmsentinel.testkit.InfluxTranslator;
import io.llmsentinel.testkit.KafkaTestBroker;
import io.llmsentinel.testkit.MiniClusters;
import io.llmsentinel.testkit.TestServers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;

/**
 * The whole job, all outputs on, against the real Kafka, RabbitMQ, InfluxDB (1.x behind the
 * translator), Redis and a webhook receiver; a task fails mid-stream (an injected exception after
 * two checkpoints) and the job restarts from its last checkpoint. Counted by anomaly id across the
 * outputs: nothing is lost, Kafka has each anomaly exactly once, the at-least-once outputs may
 * repeat one but every copy carries the same id and content.
 */
class FanOutUnderFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Set when the injected failure has fired (once per JVM run of the test). */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** A sink that fails its task once, on the first write after two checkpoint barriers. */
    static final class FailOnce implements Sink<Anomaly> {
        @Override
        @SuppressWarnings("deprecation")
        public SinkWriter<Anomaly> createWriter(InitContext context) {
            AtomicInteger barriers = new AtomicInteger();
            return new SinkWriter<>() {
                @Override
                public void write(Anomaly a, Context c) {
                    if (barriers.get() >= 2 && FAILED.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure (test)");
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                    barriers.incrementAndGet();
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void aTaskFailureMidStreamLosesNothingInAnyOutput() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String exchange = "it-alerts-" + run;
        String queue = exchange + ".all";
        String db = "it_" + run;
        String service = "support-bot";

        // Input: 10 minutes of event time at 20 messages/s with three incidents.
        long durationMs = 600_000;
        long start = System.currentTimeMillis() - durationMs;
        List<Incident> incidents =
                List.of(
                        new Incident(
                                Incident.Type.LATENCY_SPIKE,
                                service,
                                "gpt-4o",
                                start + 200_000,
                                start + 230_000),
                        new Incident(
                                Incident.Type.TOKEN_EXPLOSION,
                                "code-assistant",
                                "claude-3-5-sonnet-20241022",
                                start + 350_000,
                                start + 380_000),
                        new Incident(
                                Incident.Type.COST_JUMP,
                                service,
                                "gpt-4o",
                                start + 480_000,
                                start + 510_000));
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(5, incidents, 4)) {
            for (long t = start; t < start + durationMs; t += 50) {
                // One partition: the replay after the failure sees the same order per key, so
                // it finds the same anomalies (with two partitions interleaved differently, the
                // failed attempt's anomalies could differ from the replay's).
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topics.get(0), 0, t, null, gen.nextMessage(t))));
            }
            producer.flush();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }

        // A queue bound to every alert, before the job publishes.
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setHost("127.0.0.1");
        rabbit.setPort(5672);
        try (Connection c = rabbit.newConnection("it-setup")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(exchange, "topic", true);
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, exchange, "#"); // alert.<severity> and resolved.<severity>
        }
        TestServers.influxQuery("", "CREATE DATABASE " + db);

        // A webhook receiver that records the webhook-id and body of every delivery.
        Map<String, List<String>> webhooks = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        receiver.createContext(
                "/hook",
                ex -> {
                    byte[] body = ex.getRequestBody().readAllBytes();
                    String id = ex.getRequestHeaders().getFirst("webhook-id");
                    webhooks.computeIfAbsent(
                                    id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
                    ex.sendResponseHeaders(204, -1);
                    ex.close();
                });
        receiver.start();

        try (InfluxTranslator translator = new InfluxTranslator(0, TestServers.INFLUXDB)) {
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
                                    Map.entry("control.enabled", "false"),
                                    Map.entry("sinks.rabbitmq.enabled", "true"),
                                    // every alert change, counted one by one at each output
                                    Map.entry("alerts.deliver", "alerts"),
                                    Map.entry("sinks.rabbitmq.exchange", exchange),
                                    Map.entry("sinks.influxdb.enabled", "true"),
                                    Map.entry("sinks.influxdb.host", translator.url()),
                                    Map.entry("sinks.influxdb.database", db),
                                    Map.entry("sinks.influxdb.batch-size", "200"),
                                    Map.entry("sinks.redis.enabled", "true"),
                                    Map.entry("job.parallelism", "2")),
                            env::get);

            StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
            Configuration restart = new Configuration();
            restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            restart.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    java.time.Duration.ofMillis(500));
            flink.configure(restart);
            flink.enableCheckpointing(200);
            JobIo io = JobIo.fromConfig(config, true);
            io.anomalyOutputs()
                    .add(new JobIo.Output<>("it-fail-once", "Fails once (test)", new FailOnce()));
            SentinelTopology.build(flink, config, io);
            FAILED.set(false);
            flink.execute("sentinel-fan-out-under-failure");
        } finally {
            receiver.stop(0);
        }
        assertThat(FAILED).as("the injected failure fired mid-stream").isTrue();

        // Kafka (transactions, read_committed): each anomaly and each alert change exactly once.
        Map<String, JsonNode> anomalies = new HashMap<>();
        Map<String, JsonNode> alertChanges = new HashMap<>();
        int kafkaRecords = 0;
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(2))) {
            JsonNode a = JSON.readTree(r.value());
            if ("alert".equals(a.path("record_type").asText())) {
                String id =
                        a.get("state").asText().equals("resolved")
                                ? a.get("alert_id").asText() + ":resolved"
                                : a.path("anomaly").get("anomaly_id").asText();
                alertChanges.put(id, a);
            } else {
                anomalies.put(a.get("anomaly_id").asText(), a);
            }
            kafkaRecords++;
        }
        assertThat(anomalies).isNotEmpty();
        assertThat(alertChanges).isNotEmpty();
        assertThat(kafkaRecords)
                .as("exactly once on Kafka")
                .isEqualTo(anomalies.size() + alertChanges.size());
        // Every alert opened resolved by the end of the (bounded) input.
        assertThat(
                        alertChanges.values().stream()
                                .filter(a -> a.get("state").asText().equals("resolved")))
                .hasSameSizeAs(
                        alertChanges.values().stream()
                                .filter(a -> a.get("state").asText().equals("opened"))
                                .toList());
        assertThat(anomalies.values())
                .anySatisfy(
                        a -> assertThat(a.get("anomaly_type").asText()).isEqualTo("latency_spike"));

        // InfluxDB: every anomaly stored; a replayed one overwrote itself.
        JsonNode stored = TestServers.influxQuery(db, "SELECT anomaly_id FROM anomalies");
        Set<String> influxIds = new HashSet<>();
        int influxRows = 0;
        for (JsonNode v : stored.path("results").path(0).path("series").path(0).path("values")) {
            influxIds.add(v.get(1).asText());
            influxRows++;
        }
        assertThat(influxIds).isEqualTo(anomalies.keySet());
        assertThat(influxRows).isEqualTo(influxIds.size());
        TestServers.influxQuery("", "DROP DATABASE " + db);

        // RabbitMQ and webhooks: the same alerts, each at least once, copies identical.
        Map<String, List<String>> rabbitMessages = new HashMap<>();
        try (Connection c = rabbit.newConnection("it-check")) {
            Channel ch = c.createChannel();
            for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
                rabbitMessages
                        .computeIfAbsent(r.getProps().getMessageId(), k -> new ArrayList<>())
                        .add(new String(r.getBody(), java.nio.charset.StandardCharsets.UTF_8));
            }
            ch.queueDelete(queue);
            ch.exchangeDelete(exchange);
        }
        assertThat(rabbitMessages).isNotEmpty();
        assertThat(rabbitMessages.keySet()).isEqualTo(webhooks.keySet());
        assertThat(alertChanges.keySet()).containsAll(rabbitMessages.keySet());
        assertThat(rabbitMessages.keySet()).anyMatch(id -> id.endsWith(":resolved"));
        // A replayed copy differs only in detected_at (processing time).
        rabbitMessages.forEach(
                (id, copies) -> {
                    Set<String> content = new HashSet<>();
                    copies.forEach(b -> content.add(withoutDetectedAt(read(b))));
                    assertThat(content).as("copies of alert %s", id).hasSize(1);
                });
        webhooks.forEach(
                (id, copies) -> {
                    Set<String> content = new HashSet<>();
                    copies.forEach(b -> content.add(withoutDetectedAt(read(b).get("data"))));
                    assertThat(content).as("copies of webhook %s", id).hasSize(1);
                });

        System.out.printf(
                "fan-out under failure: %d anomalies (Kafka %d records, InfluxDB %d rows);"
                        + " %d alert changes (RabbitMQ %d messages, webhooks %d deliveries)%n",
                anomalies.size(),
                kafkaRecords,
                influxRows,
                rabbitMessages.size(),
                rabbitMessages.values().stream().mapToInt(List::size).sum(),
                webhooks.values().stream().mapToInt(List::size).sum());

        // Redis: the documented keys hold a live baseline and the recent anomalies.
        try (JedisPooled redis = new JedisPooled(TestServers.REDIS_HOST, TestServers.REDIS_PORT)) {
            assertThat(redis.zrange(RedisKeys.SERVICES, 0, -1)).contains(service);
            String key = RedisKeys.baseline(service, "gpt-4o", "openai", "chat", "latency_ms");
            Map<String, String> baseline = redis.hgetAll(key);
            assertThat(baseline).containsKeys("mean", "median", "samples", "q1", "q3");
            assertThat(Long.parseLong(baseline.get("samples"))).isGreaterThan(100);
            assertThat(redis.ttl(key)).isPositive();
            assertThat(redis.lrange(RedisKeys.recentAnomalies(service), 0, -1)).isNotEmpty();
        }
    }

    private static String withoutDetectedAt(JsonNode anomaly) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) anomaly).remove("detected_at");
        return anomaly.toString();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
