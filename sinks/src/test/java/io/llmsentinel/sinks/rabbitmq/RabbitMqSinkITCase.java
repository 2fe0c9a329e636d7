package io.llmsentinel.sinks.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.AlertEvents;
import io.llmsentinel.sinks.Incidents;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import io.llmsentinel.sinks.notification.Notification;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real RabbitMQ broker that scripts/test.sh starts (scripts/services.sh, Debian's
 * rabbitmq-server on 127.0.0.1:5672). Fails, not skips, when it is not there.
 */
class RabbitMqSinkITCase {
    static final String HOST = "127.0.0.1";
    static final int PORT = 5672;

    private final String exchange = "it-alerts-" + UUID.randomUUID().toString().substring(0, 8);
    private Connection admin;
    private Channel ch;

    @BeforeEach
    void connect() throws Exception {
        admin = factory().newConnection("it-admin");
        ch = admin.createChannel();
        ch.exchangeDeclare(exchange, "topic", true);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (admin != null && admin.isOpen()) {
            Channel c = admin.createChannel();
            c.exchangeDelete(exchange);
            admin.close();
        }
    }

    static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(HOST);
        f.setPort(PORT);
        return f;
    }

    static RMQConnectionConfig config() {
        return new RMQConnectionConfig.Builder()
                .setHost(HOST)
                .setPort(PORT)
                .setVirtualHost("/")
                .setUserName("guest")
                .setPassword("guest")
                .setConnectionTimeout(3000)
                .build();
    }

    private String queue(String bindingKey) throws Exception {
        String q = exchange + "." + bindingKey.replace('#', 'H').replace('*', 'S');
        ch.queueDeclare(q, true, false, true, null);
        ch.queueBind(q, exchange, bindingKey);
        return q;
    }

    static Anomaly anomaly(int i, String severity) {
        Anomaly a = new Anomaly();
        a.anomalyId = String.format("%032x", i);
        a.eventTimeMs = 1_764_000_000_000L + i;
        a.detectedAtMs = 1_764_000_000_500L + i;
        a.severity = severity;
        a.anomalyType = "latency_spike";
        a.service = "svc";
        a.metric = "latency_ms";
        a.value = 9000 + i;
        a.score = 0.9;
        return a;
    }

    /** Records the counters the writer registers, so a test can read them. */
    static final class Counters extends UnregisteredMetricsGroup {
        final java.util.Map<String, Counter> counters =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Counter counter(String name) {
            return counters.computeIfAbsent(name, n -> new SimpleCounter());
        }

        @Override
        public MetricGroup addGroup(String name) {
            return this;
        }

        long get(String name) {
            Counter c = counters.get(name);
            return c == null ? 0 : c.getCount();
        }
    }

    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    private RabbitMqWriter<AlertEvent> writer(RabbitMqSettings settings, MetricGroup metrics)
            throws Exception {
        return new RabbitMqWriter<AlertEvent>(
                Notification::of,
                config(),
                settings,
                TestBacklogs.settings("rabbitmq", settings.maxOutstanding()),
                new CollectingDeadLetters(deadLetters),
                metrics,
                List.of());
    }

    @Test
    void alertsLandOnQueuesBoundBySeverityWithTheirProperties() throws Exception {
        String critical = queue("alert.critical");
        String all = queue("alert.#");
        Counters metrics = new Counters();
        RabbitMqSettings settings =
                new RabbitMqSettings(
                        exchange,
                        "alert.",
                        100,
                        30_000,
                        200,
                        io.llmsentinel.functions.detect.Severity.LOW);
        try (var w = writer(settings, metrics)) {
            w.write(AlertEvents.opened(anomaly(1, "CRITICAL")), null);
            w.write(AlertEvents.opened(anomaly(2, "low")), null);
            w.write(AlertEvents.opened(anomaly(3, "high")), null);
            w.flush(true);
        }
        assertThat(metrics.get("sent")).isEqualTo(3);

        GetResponse c = ch.basicGet(critical, true);
        assertThat(c).isNotNull();
        assertThat(c.getEnvelope().getRoutingKey()).isEqualTo("alert.critical");
        assertThat(c.getProps().getMessageId()).isEqualTo(String.format("%032x", 1));
        assertThat(c.getProps().getContentType()).isEqualTo("application/json");
        assertThat(c.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(c.getProps().getTimestamp().getTime() / 1000)
                .isEqualTo(anomaly(1, "x").detectedAtMs / 1000);
        JsonNode body = new ObjectMapper().readTree(c.getBody());
        assertThat(body.get("anomaly_id").asText()).isEqualTo(String.format("%032x", 1));
        assertThat(body.get("metric").asText()).isEqualTo("latency_ms");
        assertThat(ch.basicGet(critical, true)).as("only the critical one").isNull();

        List<String> keys = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(all, true)) != null; ) {
            keys.add(r.getEnvelope().getRoutingKey());
        }
        assertThat(keys).containsExactly("alert.critical", "alert.low", "alert.high");
    }

    @Test
    void resolutionsGoToResolvedKeysAndAMinimumSeverityHoldsLowAlertsBack() throws Exception {
        String all = queue("#");
        RabbitMqSettings settings =
                new RabbitMqSettings(
                        exchange,
                        "alert.",
                        100,
                        30_000,
                        200,
                        io.llmsentinel.functions.detect.Severity.MEDIUM);
        try (var w = writer(settings, new Counters())) {
            w.write(AlertEvents.opened(anomaly(1, "low")), null);
            w.write(AlertEvents.resolved(anomaly(1, "low")), null);
            w.write(AlertEvents.opened(anomaly(2, "high")), null);
            w.write(AlertEvents.resolved(anomaly(2, "high")), null);
            w.flush(true);
        }
        List<String> got = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(all, true)) != null; ) {
            got.add(
                    r.getEnvelope().getRoutingKey()
                            + " "
                            + r.getProps().getType()
                            + " "
                            + r.getProps().getMessageId());
        }
        String id = String.format("%032x", 2);
        assertThat(got)
                .containsExactly(
                        "alert.high anomaly.detected " + id,
                        "resolved.high anomaly.resolved " + id + ":resolved");
    }

    /**
     * Incident changes on {@code incident.<change>.<severity>}: a queue bound to {@code
     * incident.*.critical} gets the critical changes of an incident, one bound to {@code
     * incident.#} all of them, in order, with their message ids and types.
     */
    @Test
    void incidentChangesLandOnQueuesBoundByChangeAndSeverity() throws Exception {
        String critical = queue("incident.*.critical");
        String all = queue("incident.#");
        Counters metrics = new Counters();
        RabbitMqSettings settings =
                new RabbitMqSettings(
                        exchange,
                        "alert.",
                        100,
                        30_000,
                        200,
                        io.llmsentinel.functions.detect.Severity.MEDIUM);
        try (var w =
                new RabbitMqWriter<IncidentEvent>(
                        Notification::of,
                        config(),
                        settings,
                        TestBacklogs.settings("rabbitmq", settings.maxOutstanding()),
                        new CollectingDeadLetters(deadLetters),
                        metrics,
                        List.of())) {
            w.write(Incidents.opened("inc-1"), null);
            w.write(Incidents.opened("inc-low", "low", "svc"), null); // below the minimum
            w.write(Incidents.updated("inc-1"), null);
            w.write(Incidents.resolved("inc-1"), null);
            w.flush(true);
        }
        assertThat(metrics.get("sent")).isEqualTo(3);
        assertThat(deadLetters).isEmpty();

        List<String> got = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(all, true)) != null; ) {
            got.add(
                    r.getEnvelope().getRoutingKey()
                            + " "
                            + r.getProps().getType()
                            + " "
                            + r.getProps().getMessageId());
            assertThat(r.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(new ObjectMapper().readTree(r.getBody()).path("incident_id").asText())
                    .isEqualTo("inc-1");
        }
        assertThat(got)
                .containsExactly(
                        "incident.opened.high incident.opened inc-1:opened:0",
                        "incident.updated.critical incident.updated inc-1:updated:1",
                        "incident.resolved.critical incident.resolved inc-1:resolved:2");
        List<String> criticalOnly = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(critical, true)) != null; ) {
            criticalOnly.add(r.getProps().getMessageId());
        }
        assertThat(criticalOnly).containsExactly("inc-1:updated:1", "inc-1:resolved:2");
    }

    @Test
    void unroutableAlertsAreDeadLetteredAndCountedNotSent() throws Exception {
        queue("alert.critical"); // nothing bound to alert.low
        Counters metrics = new Counters();
        RabbitMqSettings settings =
                new RabbitMqSettings(
                        exchange,
                        "alert.",
                        100,
                        30_000,
                        200,
                        io.llmsentinel.functions.detect.Severity.LOW);
        try (var w = writer(settings, metrics)) {
            w.write(AlertEvents.opened(anomaly(1, "low")), null);
            w.write(AlertEvents.opened(anomaly(2, "critical")), null);
            w.flush(true);
        }
        assertThat(metrics.get("returned")).isEqualTo(1);
        assertThat(metrics.get("sent")).as("only the routable one").isEqualTo(1);
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("rabbitmq_unroutable");
                            assertThat(d.detail)
                                    .contains(String.format("%032x", 1))
                                    .contains("alert.low");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("\"anomaly_id\"");
                        });
    }

    /**
     * A confirm that reaches the writer from a channel it has replaced (the broker confirmed late)
     * changes nothing: the new channel's messages stay unconfirmed until their own confirms.
     */
    @Test
    void aLateConfirmFromAReplacedChannelChangesNothing() throws Exception {
        queue("alert.#");
        Counters metrics = new Counters();
        RabbitMqSettings settings =
                new RabbitMqSettings(
                        exchange,
                        "alert.",
                        100,
                        30_000,
                        200,
                        io.llmsentinel.functions.detect.Severity.LOW);
        try (var w = writer(settings, metrics)) {
            // Not flush(true): that ends the input, and nothing is delivered after it.
            w.write(AlertEvents.opened(anomaly(1, "high")), null);
            awaitSent(metrics, 1);
            RabbitMqWriter.Published old = w.current();
            assertThat(old).isNotNull();
            w.replaceChannel("test: as after a confirm timeout");
            w.write(AlertEvents.opened(anomaly(2, "high")), null);
            awaitSent(metrics, 2);
            RabbitMqWriter.Published now = w.current();
            assertThat(now).isNotSameAs(old);
            now.unconfirmed.put(99L, 0); // a message the new channel published, not confirmed yet
            w.confirmed(old, 99L, true, true); // the old channel's confirm of its own seq 99
            assertThat(now.unconfirmed).containsKey(99L);
            assertThat(metrics.get("lateConfirmsIgnored")).isEqualTo(1);
        }
    }

    private static void awaitSent(Counters metrics, long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (metrics.get("sent") < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(metrics.get("sent")).as("delivered and confirmed").isEqualTo(n);
    }

    @Test
    void aBrokerRestartMidStreamLosesNothing() throws Exception {
        String all = queue("alert.#");
        // Durable and not auto-delete: the queue must outlive the broker restart.
        ch.queueDelete(all);
        ch.queueDeclare(all, true, false, false, null);
        ch.queueBind(all, exchange, "alert.#");
        admin.close();

        Counters metrics = new Counters();
        RabbitMqSettings settings =
                new RabbitMqSettings(
                        exchange,
                        "alert.",
                        200,
                        120_000,
                        200,
                        io.llmsentinel.functions.detect.Severity.LOW);
        Thread restart =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(500);
                                services("restart", "rabbitmq");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        int total = 0;
        try (var w = writer(settings, metrics)) {
            restart.start();
            // A stream before, during and after the restart, with a checkpoint every 100 alerts
            // (a checkpoint does not wait for the broker; the backlog keeps what it has not
            // confirmed).
            for (int after = 0; after < 1000; total++) {
                w.write(
                        AlertEvents.opened(anomaly(total, total % 2 == 0 ? "high" : "critical")),
                        null);
                if (total % 100 == 99) {
                    w.flush(false);
                }
                if (total % 10 == 0) {
                    Thread.sleep(5);
                }
                if (!restart.isAlive()) {
                    after++;
                }
            }
            w.flush(true);
            restart.join();
        }
        assertThat(metrics.get("reconnects") + metrics.get("retried"))
                .as("the restart happened while alerts were being published")
                .isPositive();

        admin = factory().newConnection("it-admin-2");
        ch = admin.createChannel();
        Set<String> ids = new HashSet<>();
        int messages = 0;
        for (GetResponse r; (r = ch.basicGet(all, true)) != null; ) {
            ids.add(r.getProps().getMessageId());
            messages++;
        }
        ch.queueDelete(all);
        System.out.printf(
                "broker restart: %d alerts written, %d distinct on the queue (%d messages),"
                        + " %d reconnects, %d retried, dead letters %s%n",
                total,
                ids.size(),
                messages,
                metrics.get("reconnects"),
                metrics.get("retried"),
                deadLetters.stream().map(d -> d.detail).toList());
        assertThat(deadLetters).as("nothing given up or dead-lettered").isEmpty();
        assertThat(ids).as("every alert, counted by anomaly id").hasSize(total);
        assertThat(messages).isGreaterThanOrEqualTo(total);
    }

    /** Runs scripts/services.sh with the given arguments and waits for it. */
    static void services(String... args) throws Exception {
        Path script = Path.of("..", "scripts", "services.sh").toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(new File("target/services-" + args[0] + ".log"))
                        .start();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("services.sh " + String.join(" ", args) + " failed");
        }
    }
}
