package io.llmsentinel.sinks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.DetectorFinding;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.AlertEvents;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import io.llmsentinel.sinks.notification.Notification;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook writer against a real HTTP server on loopback that verifies every signature with the
 * Standard Webhooks library and answers as each test scripts it: failures then recovery, a 400,
 * timeouts, a dead endpoint.
 */
class WebhookWriterTest {
    private static final String SECRET = WebhookSignerTest.SECRET;

    private HttpServer server;
    private final List<String> verifiedIds = new CopyOnWriteArrayList<>();
    private final AtomicInteger badSignatures = new AtomicInteger();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());

    /** Starts the receiver; {@code answer} maps the attempt number of an id to a status. */
    private String receiver(IntUnaryOperator answer, long delayMsOnFirstAttempts) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.createContext(
                "/hook",
                exchange -> {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    String id = exchange.getRequestHeaders().getFirst("webhook-id");
                    int attempt =
                            attempts.computeIfAbsent(id, k -> new AtomicInteger())
                                    .incrementAndGet();
                    try {
                        new Webhook(SECRET)
                                .verify(
                                        new String(body, StandardCharsets.UTF_8),
                                        exchange.getRequestHeaders());
                    } catch (Exception e) {
                        badSignatures.incrementAndGet();
                    }
                    int status = answer.applyAsInt(attempt);
                    if (status == 0) { // time out: answer too late
                        try {
                            Thread.sleep(delayMsOnFirstAttempts);
                        } catch (InterruptedException ignored) {
                            Thread.currentThread().interrupt();
                        }
                        status = 200;
                    } else if (status == 200) {
                        verifiedIds.add(id);
                    }
                    exchange.sendResponseHeaders(status, -1);
                    exchange.close();
                });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private WebhookWriter<AlertEvent> writer(String url, long giveUpAfterMs) throws Exception {
        WebhookEndpoint e =
                new WebhookEndpoint(
                        "test",
                        url,
                        List.of(SECRET),
                        Severity.LOW,
                        Set.of(),
                        300,
                        4,
                        giveUpAfterMs,
                        10);
        return writer(List.of(e), List.of());
    }

    private WebhookWriter<AlertEvent> writer(
            List<WebhookEndpoint> endpoints, List<OutboxState> restored) throws Exception {
        DeadLetterPublisher dlq = new CollectingDeadLetters(deadLetters);
        return new WebhookWriter<AlertEvent>(
                Notification::of,
                endpoints,
                TestBacklogs.settings("webhooks", 16),
                dlq,
                new UnregisteredMetricsGroup(),
                restored);
    }

    static Anomaly alert(String id, String severity, String service) {
        Anomaly a = new Anomaly();
        a.anomalyId = id;
        a.severity = severity;
        a.service = service;
        a.metric = "latency_ms";
        a.anomalyType = "latency_spike";
        a.detectedAtMs = 1_764_000_000_000L;
        a.eventTimeMs = 1_764_000_000_000L;
        a.detectors = new DetectorFinding[0];
        return a;
    }

    @Test
    void deliversEverySignedAlertOnceTheEndpointRecoversFromErrorsAndTimeouts() throws Exception {
        // Attempts 1 and 2 fail (500, then a timeout), attempt 3 succeeds.
        String url = receiver(attempt -> attempt == 1 ? 500 : attempt == 2 ? 0 : 200, 1000);
        try (WebhookWriter<AlertEvent> w = writer(url, 60_000)) {
            for (int i = 0; i < 20; i++) {
                w.write(AlertEvents.opened(alert("id-" + i, "high", "svc")), null);
            }
            w.flush(true); // the end of a bounded input: drains, with a deadline
        }
        // At least once: a reply that came after the client's timeout means a second delivery of
        // the same webhook-id, which receivers deduplicate on.
        assertThat(Set.copyOf(verifiedIds)).hasSize(20);
        assertThat(badSignatures).hasValue(0);
        assertThat(deadLetters).isEmpty();
        assertThat(attempts.values())
                .allSatisfy(a -> assertThat(a.get()).isGreaterThanOrEqualTo(3));
    }

    @Test
    void aBadRequestIsNotRetriedAndGoesToTheDeadLetterTopic() throws Exception {
        String url = receiver(attempt -> 400, 0);
        try (WebhookWriter<AlertEvent> w = writer(url, 60_000)) {
            w.write(AlertEvents.opened(alert("bad-1", "critical", "svc")), null);
            w.flush(true);
        }
        assertThat(attempts.get("bad-1")).hasValue(1);
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("webhook_failed");
                            assertThat(d.detail).contains("HTTP 400").contains("bad-1");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("\"anomaly.detected\"");
                        });
    }

    @Test
    void aDeadEndpointIsDeadLetteredAfterItsGiveUpTime() throws Exception {
        String url = receiver(attempt -> 200, 0);
        server.stop(0); // nothing listens any more
        server = null;
        try (WebhookWriter<AlertEvent> w = writer(url, 500)) {
            w.write(AlertEvents.opened(alert("lost-1", "high", "svc")), null);
            w.flush(true);
        }
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("webhook_failed");
                            assertThat(d.detail).contains("lost-1").contains("give-up-after");
                        });
    }

    /**
     * An endpoint that sends its headers and never finishes the body: each delivery is cut at its
     * deadline, a checkpoint does not wait for it, and the alert is delivered once the endpoint
     * answers properly.
     */
    @Test
    void anEndpointThatNeverFinishesItsBodyHoldsBackNothing() throws Exception {
        AtomicInteger hanging = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext(
                "/hook",
                exchange -> {
                    exchange.getRequestBody().readAllBytes();
                    String id = exchange.getRequestHeaders().getFirst("webhook-id");
                    if (hanging.incrementAndGet() <= 2) {
                        // headers, a promise of 1 MB, a few bytes, then nothing for a minute
                        exchange.sendResponseHeaders(200, 1 << 20);
                        exchange.getResponseBody().write(new byte[10]);
                        exchange.getResponseBody().flush();
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException ignored) {
                            Thread.currentThread().interrupt();
                        }
                        exchange.close();
                        return;
                    }
                    verifiedIds.add(id);
                    exchange.sendResponseHeaders(204, -1);
                    exchange.close();
                });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        try (WebhookWriter<AlertEvent> w = writer(url, 60_000)) {
            w.write(AlertEvents.opened(alert("slow-1", "high", "svc")), null);
            long start = System.nanoTime();
            w.flush(false); // a checkpoint
            List<OutboxState> state = w.snapshotState(1);
            long checkpointMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(checkpointMs)
                    .as("a checkpoint does not wait for the endpoint")
                    .isLessThan(1_000);
            assertThat(state.get(0).items()).hasSize(1);
            w.flush(true);
        }
        assertThat(verifiedIds).containsExactly("slow-1");
        assertThat(hanging.get()).isGreaterThanOrEqualTo(3);
        assertThat(deadLetters).isEmpty();
    }

    /** What a checkpoint held for an endpoint is delivered by the writer restored from it. */
    @Test
    void aRestoredWriterDeliversWhatTheCheckpointHeld() throws Exception {
        String url = receiver(attempt -> 200, 0);
        server.stop(0);
        List<OutboxState> state;
        try (WebhookWriter<AlertEvent> w = writer(url, 60_000)) {
            w.write(AlertEvents.opened(alert("kept-1", "high", "svc")), null);
            w.write(AlertEvents.opened(alert("kept-2", "high", "svc")), null);
            state = w.snapshotState(7);
        }
        assertThat(state).singleElement().satisfies(s -> assertThat(s.items()).hasSize(2));
        url = receiver(attempt -> 200, 0);
        WebhookEndpoint e =
                new WebhookEndpoint(
                        "test", url, List.of(SECRET), Severity.LOW, Set.of(), 300, 4, 60_000, 10);
        try (WebhookWriter<AlertEvent> w = writer(List.of(e), state)) {
            w.flush(true);
        }
        assertThat(verifiedIds).containsExactlyInAnyOrder("kept-1", "kept-2");
        assertThat(badSignatures).hasValue(0);
    }

    @Test
    void filtersBySeverityAndService() throws Exception {
        String url = receiver(attempt -> 200, 0);
        WebhookEndpoint picky =
                new WebhookEndpoint(
                        "picky",
                        url,
                        List.of(SECRET),
                        Severity.HIGH,
                        Set.of("billing"),
                        5_000, // a slow answer on a busy machine must not look like a failure
                        4,
                        60_000,
                        10);
        try (WebhookWriter<AlertEvent> w = writer(List.of(picky), List.of())) {
            w.write(AlertEvents.opened(alert("low-billing", "low", "billing")), null);
            w.write(AlertEvents.opened(alert("high-other", "high", "search")), null);
            w.write(AlertEvents.opened(alert("high-billing", "high", "billing")), null);
            w.flush(true);
        }
        assertThat(verifiedIds).containsExactly("high-billing");
    }

    @Test
    void aResolutionIsSignedAndGoesWhereItsAlertWent() throws Exception {
        String url = receiver(attempt -> 200, 0);
        WebhookEndpoint high =
                new WebhookEndpoint(
                        "ops", url, List.of(SECRET), Severity.HIGH, Set.of(), 5_000, 4, 60_000, 10);
        try (WebhookWriter<AlertEvent> w = writer(List.of(high), List.of())) {
            w.write(AlertEvents.resolved(alert("low-1", "low", "svc")), null);
            w.write(AlertEvents.resolved(alert("high-1", "high", "svc")), null);
            w.flush(true);
        }
        assertThat(verifiedIds).containsExactly("high-1:resolved");
        String body =
                new String(
                        WebhookFormat.STANDARD_WEBHOOKS.body(
                                Notification.of(
                                        AlertEvents.resolved(alert("high-1", "high", "svc")))),
                        java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body)
                .startsWith("{\"type\":\"anomaly.resolved\"")
                .contains("\"alert_id\":\"high-1\"")
                .contains("\"state\":\"resolved\"");
        String opened =
                new String(
                        WebhookFormat.STANDARD_WEBHOOKS.body(
                                Notification.of(
                                        AlertEvents.opened(alert("high-1", "high", "svc")))),
                        java.nio.charset.StandardCharsets.UTF_8);
        assertThat(opened)
                .startsWith("{\"type\":\"anomaly.detected\"")
                .contains("\"data\":{\"schema_version\":1,\"anomaly_id\":\"high-1\"")
                .contains("\"alert\":{\"alert_id\":\"high-1\",\"state\":\"opened\"");
    }

    @Test
    void anEndpointWithoutAMinimumGetsMediumAndAbove() {
        WebhookEndpoint e = WebhookEndpoint.of("x", "http://127.0.0.1/h", List.of(SECRET));
        assertThat(e.wants(Notification.of(AlertEvents.opened(alert("l", "low", "svc")))))
                .isFalse();
        assertThat(e.wants(Notification.of(AlertEvents.opened(alert("m", "medium", "svc")))))
                .isTrue();
    }

    /**
     * A dead endpoint whose backlog is full holds back nothing: each further alert for it goes to
     * the dead-letter topic (reason backlog_full) with the exact body it would have got.
     */
    @Test
    void aDeadEndpointWithAFullBacklogShedsItsAlertsToTheDeadLetterTopic() throws Exception {
        String url = receiver(attempt -> 200, 0);
        server.stop(0); // nothing listens any more
        server = null;
        WebhookEndpoint e =
                new WebhookEndpoint(
                        "dead", url, List.of(SECRET), Severity.LOW, Set.of(), 300, 4, 60_000, 10);
        try (WebhookWriter<AlertEvent> w =
                new WebhookWriter<AlertEvent>(
                        Notification::of,
                        List.of(e),
                        TestBacklogs.small("webhooks", 2),
                        new CollectingDeadLetters(deadLetters),
                        new UnregisteredMetricsGroup(),
                        List.of())) {
            for (int i = 0; i < 5; i++) {
                w.write(AlertEvents.opened(alert("shed-" + i, "high", "svc")), null);
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (deadLetters.size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(w.snapshotState(1))
                    .singleElement()
                    .satisfies(st -> assertThat(st.items()).hasSize(2));
        }
        assertThat(deadLetters)
                .hasSize(3)
                .allSatisfy(
                        d -> {
                            assertThat(d.reason).isEqualTo("backlog_full");
                            assertThat(d.sourceTopic).isEqualTo("webhook:dead");
                            assertThat(d.detail).contains("backlog full");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .startsWith("{\"type\":\"anomaly.detected\"");
                        });
        String details = String.join("\n", deadLetters.stream().map(d -> d.detail).toList());
        assertThat(details)
                .contains("change shed-2:", "change shed-3:", "change shed-4:")
                .doesNotContain("change shed-0:", "change shed-1:");
    }

    /**
     * A writer that fails to start after its first endpoint's delivery thread started (here: the
     * second endpoint's restored backlog is corrupt) stops that thread and closes the dead-letter
     * producer: Flink never closes a writer it did not get, so on every restart they would leak,
     * and the leaked thread would go on delivering the restored alerts.
     */
    @Test
    void aWriterThatFailsToStartLeavesNoDeliveryThreadRunning() throws Exception {
        String url = receiver(attempt -> 503, 0);
        WebhookEndpoint first =
                new WebhookEndpoint(
                        "leak-a", url, List.of(SECRET), Severity.LOW, Set.of(), 300, 4, 60_000, 10);
        WebhookEndpoint second =
                new WebhookEndpoint(
                        "leak-b", url, List.of(SECRET), Severity.LOW, Set.of(), 300, 4, 60_000, 10);
        byte[] kept =
                WebhookWriter.CODEC.encode(
                        new WebhookWriter.Delivery("leak-a", "kept-1", "{}".getBytes()));
        List<OutboxState> restored =
                List.of(
                        OutboxState.of(WebhookWriter.stateName("leak-a"), List.of(kept)),
                        OutboxState.of(WebhookWriter.stateName("leak-b"), List.of(new byte[] {9})));
        CollectingDeadLetters producer = new CollectingDeadLetters(deadLetters);
        assertThatThrownBy(
                        () ->
                                new WebhookWriter<AlertEvent>(
                                        Notification::of,
                                        List.of(first, second),
                                        TestBacklogs.settings("webhooks", 16),
                                        producer,
                                        new UnregisteredMetricsGroup(),
                                        restored))
                .isInstanceOf(IOException.class);
        long deadline = System.currentTimeMillis() + 6_000;
        while (deliveryThreads("leak-") > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(deliveryThreads("leak-")).as("delivery threads still running").isZero();
        assertThat(producer.closed()).as("the dead-letter producer closed").isTrue();
        int attemptsThen = attempts.getOrDefault("kept-1", new AtomicInteger()).get();
        Thread.sleep(300);
        assertThat(attempts.getOrDefault("kept-1", new AtomicInteger()).get())
                .as("nothing delivers the restored alert any more")
                .isEqualTo(attemptsThen);
    }

    private static long deliveryThreads(String endpointPrefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("deliver-webhook:" + endpointPrefix))
                .count();
    }
}
