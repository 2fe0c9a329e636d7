package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertJson;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writer of {@link WebhookSink}; one per parallel subtask. */
final class WebhookWriter implements SinkWriter<AlertEvent>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookWriter.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final List<Target> targets = new ArrayList<>();
    private final DeadLetterPublisher deadLetters;
    private final HttpClient http;
    private final ScheduledExecutorService retries;
    private final Object lock = new Object();
    private int pending;
    private final Counter sent;
    private final Counter retried;
    private final Counter failed;
    private final Counter deadLettered;
    private volatile long lastLatencyMs;

    /** An endpoint with its signer and its bound on requests in flight. */
    private record Target(WebhookEndpoint endpoint, WebhookSigner signer, Semaphore inFlight) {}

    WebhookWriter(
            List<WebhookEndpoint> endpoints, DeadLetterPublisher deadLetters, MetricGroup metrics) {
        for (WebhookEndpoint e : endpoints) {
            targets.add(
                    new Target(e, new WebhookSigner(e.secrets()), new Semaphore(e.maxInFlight())));
        }
        this.deadLetters = deadLetters;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .executor(Executors.newFixedThreadPool(2, daemon("webhook-http")))
                        .build();
        this.retries = Executors.newSingleThreadScheduledExecutor(daemon("webhook-retry"));
        MetricGroup g = metrics.addGroup("sentinel").addGroup("webhooks");
        sent = g.counter("sent");
        retried = g.counter("retried");
        failed = g.counter("failed");
        deadLettered = g.counter("deadLettered");
        g.gauge("lastLatencyMs", () -> lastLatencyMs);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The delivered body: exactly these bytes are signed and sent. */
    static byte[] body(AlertEvent e) {
        boolean resolved = e.state == AlertEvent.State.RESOLVED;
        long timestamp = resolved ? System.currentTimeMillis() : e.anomaly.detectedAtMs;
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", resolved ? "anomaly.resolved" : "anomaly.detected");
            g.writeStringField("timestamp", Instant.ofEpochMilli(timestamp).toString());
            g.writeFieldName("data");
            g.writeRawValue(
                    new String(AlertJson.payload(e), java.nio.charset.StandardCharsets.UTF_8));
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toByteArray();
    }

    @Override
    public void write(AlertEvent a, Context context) throws InterruptedException {
        byte[] body = null;
        for (Target t : targets) {
            if (!t.endpoint().wants(a)) {
                continue;
            }
            if (body == null) {
                body = body(a);
            }
            // Bounded in flight: a slow endpoint holds back this writer at most this far.
            t.inFlight().acquire();
            synchronized (lock) {
                pending++;
            }
            attempt(t, a.messageId(), body, 1);
        }
    }

    private void attempt(Target t, String id, byte[] body, int attempt) {
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(t.endpoint().url()))
                        .timeout(Duration.ofMillis(t.endpoint().timeoutMs()))
                        .header("content-type", "application/json")
                        .header("webhook-id", id)
                        .header("webhook-timestamp", Long.toString(timestamp))
                        .header("webhook-signature", t.signer().sign(id, timestamp, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        long start = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .whenComplete(
                        (response, error) -> {
                            lastLatencyMs = (System.nanoTime() - start) / 1_000_000;
                            if (error == null && response.statusCode() / 100 == 2) {
                                sent.inc();
                                done(t);
                                return;
                            }
                            boolean retry;
                            long delay;
                            String reason;
                            if (error != null) {
                                Throwable cause =
                                        error instanceof CompletionException
                                                        && error.getCause() != null
                                                ? error.getCause()
                                                : error;
                                // Timeouts, refused and reset connections.
                                retry = cause instanceof IOException;
                                reason =
                                        cause instanceof HttpTimeoutException
                                                ? "timeout"
                                                : cause.getClass().getSimpleName()
                                                        + ": "
                                                        + cause.getMessage();
                                delay =
                                        RetryPolicy.backoffMs(
                                                t.endpoint().initialBackoffMs(), attempt);
                            } else {
                                int status = response.statusCode();
                                retry = RetryPolicy.retryable(status);
                                reason = "HTTP " + status;
                                delay =
                                        RetryPolicy.retryAfterMs(
                                                        response.headers()
                                                                .firstValue("retry-after"))
                                                .orElse(
                                                        RetryPolicy.backoffMs(
                                                                t.endpoint().initialBackoffMs(),
                                                                attempt));
                            }
                            if (retry && attempt < t.endpoint().maxAttempts()) {
                                retried.inc();
                                retries.schedule(
                                        () -> attempt(t, id, body, attempt + 1),
                                        delay,
                                        TimeUnit.MILLISECONDS);
                            } else {
                                failed.inc();
                                deadLetter(t, id, body, attempt, reason);
                                done(t);
                            }
                        });
    }

    private void deadLetter(Target t, String id, byte[] body, int attempts, String reason) {
        DeadLetter d = new DeadLetter();
        d.reason = "webhook_failed";
        d.detail =
                "webhook "
                        + t.endpoint()
                        + ", alert "
                        + id
                        + ": "
                        + reason
                        + " after "
                        + attempts
                        + " attempt(s)";
        d.sourceTopic = "webhook:" + t.endpoint().name();
        d.payload = body;
        d.failedAtMs = System.currentTimeMillis();
        d.sourceTimestampMs = d.failedAtMs;
        LOG.warn("Webhook delivery failed for good: {}. Sent to the dead-letter topic.", d.detail);
        try {
            deadLetters.publish(d);
            deadLettered.inc();
        } catch (Exception e) {
            LOG.error(
                    "Could not dead-letter webhook alert {} ({}): {}",
                    id,
                    t.endpoint(),
                    e.toString());
        }
    }

    private void done(Target t) {
        t.inFlight().release();
        synchronized (lock) {
            pending--;
            lock.notifyAll();
        }
    }

    /** Called before every checkpoint: waits until each delivery is done or dead-lettered. */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        synchronized (lock) {
            while (pending > 0) {
                lock.wait(1000);
            }
        }
    }

    @Override
    public void close() throws Exception {
        retries.shutdownNow();
        deadLetters.close();
    }
}
