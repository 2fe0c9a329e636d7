package io.llmsentinel.sinks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.DetectorFinding;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.AlertEvents;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
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

    private WebhookWriter writer(String url, int maxAttempts) {
        WebhookEndpoint e =
                new WebhookEndpoint(
                        "test",
                        url,
                        List.of(SECRET),
                        Severity.LOW,
                        Set.of(),
                        300,
                        4,
                        maxAttempts,
                        10);
        DeadLetterPublisher dlq = new CollectingDeadLetters(deadLetters);
        return new WebhookWriter(List.of(e), dlq, new UnregisteredMetricsGroup());
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
        try (WebhookWriter w = writer(url, 6)) {
            for (int i = 0; i < 20; i++) {
                w.write(AlertEvents.opened(alert("id-" + i, "high", "svc")), null);
            }
            w.flush(false); // what a checkpoint does: returns once every delivery is done
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
        try (WebhookWriter w = writer(url, 6)) {
            w.write(AlertEvents.opened(alert("bad-1", "critical", "svc")), null);
            w.flush(false);
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
    void aDeadEndpointIsDeadLetteredAfterItsAttempts() throws Exception {
        String url = receiver(attempt -> 200, 0);
        server.stop(0); // nothing listens any more
        server = null;
        try (WebhookWriter w = writer(url, 3)) {
            w.write(AlertEvents.opened(alert("lost-1", "high", "svc")), null);
            w.flush(false);
        }
        assertThat(deadLetters)
                .singleElement()
                .satisfies(d -> assertThat(d.detail).contains("after 3 attempt(s)"));
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
                        300,
                        4,
                        3,
                        10);
        try (WebhookWriter w =
                new WebhookWriter(
                        List.of(picky),
                        new CollectingDeadLetters(deadLetters),
                        new UnregisteredMetricsGroup())) {
            w.write(AlertEvents.opened(alert("low-billing", "low", "billing")), null);
            w.write(AlertEvents.opened(alert("high-other", "high", "search")), null);
            w.write(AlertEvents.opened(alert("high-billing", "high", "billing")), null);
            w.flush(false);
        }
        assertThat(verifiedIds).containsExactly("high-billing");
    }

    @Test
    void aResolutionIsSignedAndGoesWhereItsAlertWent() throws Exception {
        String url = receiver(attempt -> 200, 0);
        WebhookEndpoint high =
                new WebhookEndpoint(
                        "ops", url, List.of(SECRET), Severity.HIGH, Set.of(), 300, 4, 3, 10);
        try (WebhookWriter w =
                new WebhookWriter(
                        List.of(high),
                        new CollectingDeadLetters(deadLetters),
                        new UnregisteredMetricsGroup())) {
            w.write(AlertEvents.resolved(alert("low-1", "low", "svc")), null);
            w.write(AlertEvents.resolved(alert("high-1", "high", "svc")), null);
            w.flush(false);
        }
        assertThat(verifiedIds).containsExactly("high-1:resolved");
        String body =
                new String(
                        WebhookWriter.body(AlertEvents.resolved(alert("high-1", "high", "svc"))),
                        java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body)
                .startsWith("{\"type\":\"anomaly.resolved\"")
                .contains("\"alert_id\":\"high-1\"")
                .contains("\"state\":\"resolved\"");
        String opened =
                new String(
                        WebhookWriter.body(AlertEvents.opened(alert("high-1", "high", "svc"))),
                        java.nio.charset.StandardCharsets.UTF_8);
        assertThat(opened)
                .startsWith("{\"type\":\"anomaly.detected\"")
                .contains("\"data\":{\"schema_version\":1,\"anomaly_id\":\"high-1\"")
                .contains("\"alert\":{\"alert_id\":\"high-1\",\"state\":\"opened\"");
    }

    @Test
    void anEndpointWithoutAMinimumGetsMediumAndAbove() {
        WebhookEndpoint e = WebhookEndpoint.of("x", "http://127.0.0.1/h", List.of(SECRET));
        assertThat(e.wants(AlertEvents.opened(alert("l", "low", "svc")))).isFalse();
        assertThat(e.wants(AlertEvents.opened(alert("m", "medium", "svc")))).isTrue();
    }
}
