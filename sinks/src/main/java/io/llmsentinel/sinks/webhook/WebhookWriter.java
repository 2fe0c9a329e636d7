package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.delivery.Codecs;
import io.llmsentinel.sinks.delivery.ItemCodec;
import io.llmsentinel.sinks.delivery.Outbox;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxWriter;
import io.llmsentinel.sinks.delivery.Outcome;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import io.llmsentinel.sinks.notification.Notification;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link WebhookSink}: one checkpointed backlog per endpoint, so a dead endpoint
 * holds back no other. Each change is rendered once per format when it is written ({@link
 * WebhookFormat#body}), and the backlog keeps those bytes: what a checkpoint holds is delivered as
 * it was rendered, whichever build or delivery mode restores it. Each delivery has one deadline for
 * the whole exchange (connect, headers, body): an endpoint that sends headers and never finishes
 * its body is cut off at {@code timeout-ms}, its connection closed, and the change tried again
 * later.
 *
 * @param <T> what the sink delivers: incidents or alerts
 */
final class WebhookWriter<T> extends OutboxWriter<T, WebhookWriter.Delivery> {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookWriter.class);

    /**
     * One change for one endpoint: its id ({@code webhook-id}) and the body in the endpoint's
     * format, exactly as signed and sent (a PagerDuty body without its routing key).
     */
    record Delivery(String endpoint, String id, byte[] body) {}

    /** Format 1: endpoint name, webhook id, body. */
    static final ItemCodec<Delivery> CODEC =
            new ItemCodec<>() {
                @Override
                public byte[] encode(Delivery d) throws IOException {
                    return Codecs.write(
                            out -> {
                                out.writeByte(1);
                                Codecs.writeString(out, d.endpoint());
                                Codecs.writeString(out, d.id());
                                Codecs.writeBytes(out, d.body());
                            });
                }

                @Override
                public Delivery decode(byte[] b) throws IOException {
                    DataInputStream in = Codecs.read(b);
                    int format = in.readByte();
                    if (format != 1) {
                        throw new IOException("unknown webhook backlog format " + format);
                    }
                    return new Delivery(
                            Codecs.readString(in), Codecs.readString(in), Codecs.readBytes(in));
                }
            };

    /** An endpoint with its signer (Standard Webhooks only) and its backlog. */
    private record Target(
            WebhookEndpoint endpoint, WebhookSigner signer, Outbox<Delivery> outbox) {}

    private final Function<T, Notification> notifications;
    private final List<Target> targets = new ArrayList<>();
    private final DeadLetterPublisher deadLetters;
    private final ExecutorService httpThreads;
    private final HttpClient http;
    private final Counter sent;
    private final Counter failed;
    private final Counter unreadable;
    private final Counter timedOut;
    private volatile long lastLatencyMs;

    /** Takes over {@code deadLetters}: closes it when it closes, or when it fails to start. */
    WebhookWriter(
            Function<T, Notification> notifications,
            List<WebhookEndpoint> endpoints,
            OutboxSettings delivery,
            DeadLetterPublisher deadLetters,
            MetricGroup metrics,
            Collection<OutboxState> restored)
            throws IOException {
        super(CODEC);
        this.notifications = notifications;
        this.deadLetters = deadLetters;
        try {
            this.httpThreads = Executors.newFixedThreadPool(2, daemon("webhook-http"));
            this.http =
                    HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(5))
                            .executor(httpThreads)
                            .build();
            MetricGroup g = metrics.addGroup("sentinel").addGroup("webhooks");
            sent = g.counter("sent");
            failed = g.counter("failed");
            unreadable = g.counter("unreadable");
            timedOut = g.counter("timedOut");
            g.gauge("lastLatencyMs", () -> lastLatencyMs);
            for (WebhookEndpoint e : endpoints) {
                targets.add(target(e, delivery, g, restored));
            }
            deadLetterOrphans(restored);
        } catch (Throwable t) {
            closeAfterFailedStart(t);
            throw t;
        }
    }

    /** An endpoint with its signer and its backlog, with what the checkpoint held for it. */
    private Target target(
            WebhookEndpoint e,
            OutboxSettings delivery,
            MetricGroup g,
            Collection<OutboxState> restored)
            throws IOException {
        WebhookSigner signer =
                e.format() == WebhookFormat.STANDARD_WEBHOOKS
                        ? new WebhookSigner(e.secrets())
                        : null;
        OutboxSettings s =
                delivery.withName(stateName(e))
                        .withGiveUpAfterMs(e.giveUpAfterMs())
                        .withBackoff(
                                e.initialBackoffMs(),
                                Math.max(e.initialBackoffMs(), delivery.maxBackoffMs()));
        Target[] self = new Target[1];
        Outbox<Delivery> outbox =
                open(
                        new OutboxSettings(
                                s.name(),
                                s.maxItems(),
                                e.maxInFlight(),
                                0,
                                s.whenFull(),
                                s.initialBackoffMs(),
                                s.maxBackoffMs(),
                                s.giveUpAfterMs(),
                                s.endOfInputWaitMs()),
                        batch -> deliver(self[0], batch),
                        (items, cause, reason) -> deadLetter(e, items, cause, reason),
                        g.addGroup("endpoint", e.name()),
                        restored);
        self[0] = new Target(e, signer, outbox);
        return self[0];
    }

    /**
     * Restored webhooks of endpoints no longer configured, or no longer in the format they were
     * rendered for: to the dead-letter topic at once.
     */
    private void deadLetterOrphans(Collection<OutboxState> restored) throws IOException {
        List<Delivery> orphans = orphans(restored);
        if (orphans.isEmpty()) {
            return;
        }
        LOG.warn(
                "{} undelivered webhook(s) of endpoints no longer configured (or configured"
                        + " with another format) go to the dead-letter topic",
                orphans.size());
        try {
            deadLetter(
                    null,
                    orphans,
                    Outbox.Cause.UNDELIVERABLE,
                    "its endpoint is no longer configured, or no longer in this format");
        } catch (Exception ex) {
            throw new IOException(
                    "could not dead-letter "
                            + orphans.size()
                            + " webhook(s) of endpoints no longer configured; the task restarts"
                            + " and tries again",
                    ex);
        }
    }

    /**
     * The endpoint's part of the writer state: {@code webhook:<name>}, and for another format than
     * Standard Webhooks {@code webhook:<name>:<format>}, so a backlog rendered in one format is
     * never sent to an endpoint that now expects another (it is dead-lettered instead).
     */
    static String stateName(WebhookEndpoint e) {
        return stateName(e.name())
                + (e.format() == WebhookFormat.STANDARD_WEBHOOKS ? "" : ":" + e.format().label());
    }

    static String stateName(String endpoint) {
        return "webhook:" + endpoint;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void write(T event, Context context) throws InterruptedException {
        List<Target> wanting = new ArrayList<>(targets.size());
        Map<WebhookFormat, byte[]> bodies = new EnumMap<>(WebhookFormat.class);
        Notification n;
        try {
            n = notifications.apply(event);
            for (Target t : targets) {
                if (t.endpoint().wants(n)) {
                    wanting.add(t);
                    bodies.computeIfAbsent(t.endpoint().format(), f -> f.body(n));
                }
            }
        } catch (RuntimeException e) {
            // A bug upstream or here, not the endpoints' fault: logged and counted rather than
            // failing the task over and over on the same record.
            unreadable.inc();
            LOG.error(
                    "A change could not be rendered for the webhooks and is skipped (counted as"
                            + " unreadable; please report it with this line): {}",
                    e.toString(),
                    e);
            return;
        }
        for (Target t : wanting) {
            byte[] body = bodies.get(t.endpoint().format());
            t.outbox().add(new Delivery(t.endpoint().name(), n.messageId(), body));
        }
    }

    /**
     * Sends a batch (at most max-in-flight) at once and waits for all, each within its deadline.
     */
    private List<Outcome> deliver(Target t, List<Delivery> batch) throws InterruptedException {
        List<CompletableFuture<Outcome>> calls = new ArrayList<>(batch.size());
        for (Delivery d : batch) {
            calls.add(send(t, d));
        }
        List<Outcome> out = new ArrayList<>(batch.size());
        for (CompletableFuture<Outcome> c : calls) {
            try {
                out.add(c.get());
            } catch (ExecutionException e) {
                out.add(Outcome.retry(String.valueOf(e.getCause())));
            }
        }
        return out;
    }

    /** One exchange; completes within the endpoint's timeout whatever the endpoint does. */
    private CompletableFuture<Outcome> send(Target t, Delivery d) {
        long timeoutMs = t.endpoint().timeoutMs();
        HttpRequest request = request(t, d).timeout(Duration.ofMillis(timeoutMs)).build();
        long start = System.nanoTime();
        DiscardingBody body = new DiscardingBody();
        return http.sendAsync(request, info -> HttpResponse.BodySubscribers.fromSubscriber(body))
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle(
                        (response, error) -> {
                            lastLatencyMs = (System.nanoTime() - start) / 1_000_000;
                            if (error == null) {
                                return outcome(
                                        response.statusCode(),
                                        response.headers().firstValue("retry-after"),
                                        t,
                                        d);
                            }
                            Throwable cause =
                                    error instanceof CompletionException && error.getCause() != null
                                            ? error.getCause()
                                            : error;
                            if (cause instanceof TimeoutException
                                    || cause instanceof java.net.http.HttpTimeoutException) {
                                // Headers late, or a body that never ends: close the connection.
                                body.cancel();
                                timedOut.inc();
                                return Outcome.retry(
                                        "no complete answer within " + timeoutMs + " ms");
                            }
                            return Outcome.retry(
                                    cause.getClass().getSimpleName() + ": " + cause.getMessage());
                        });
    }

    /** The request in the endpoint's format: signed, plain, or with the routing key added. */
    private static HttpRequest.Builder request(Target t, Delivery d) {
        WebhookEndpoint e = t.endpoint();
        HttpRequest.Builder r =
                HttpRequest.newBuilder(URI.create(e.url()))
                        .header("content-type", "application/json");
        return switch (e.format()) {
            case STANDARD_WEBHOOKS -> {
                long timestamp = Instant.now().getEpochSecond();
                yield r.header("webhook-id", d.id())
                        .header("webhook-timestamp", Long.toString(timestamp))
                        .header("webhook-signature", t.signer().sign(d.id(), timestamp, d.body()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
            }
            case SLACK -> r.POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
            case PAGERDUTY ->
                    r.POST(
                            HttpRequest.BodyPublishers.ofByteArray(
                                    PagerDutyEvent.withRoutingKey(d.body(), e.routingKey())));
        };
    }

    private Outcome outcome(int status, Optional<String> retryAfter, Target t, Delivery d) {
        if (status / 100 == 2) {
            sent.inc();
            return Outcome.delivered();
        }
        if (RetryPolicy.retryable(status)) {
            return Outcome.retry("HTTP " + status, RetryPolicy.retryAfterMs(retryAfter).orElse(0L));
        }
        failed.inc();
        return Outcome.reject("HTTP " + status + " (not retried)");
    }

    /** Reads and drops a response body; {@link #cancel} closes the connection mid-body. */
    private static final class DiscardingBody implements Flow.Subscriber<List<ByteBuffer>> {
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> item) {}

        @Override
        public void onError(Throwable throwable) {}

        @Override
        public void onComplete() {}

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    private void deadLetter(
            WebhookEndpoint e, List<Delivery> items, Outbox.Cause cause, String reason)
            throws Exception {
        List<DeadLetter> letters = new ArrayList<>(items.size());
        for (Delivery d : items) {
            DeadLetter dl = new DeadLetter();
            dl.reason = cause.reason("webhook_failed");
            dl.detail =
                    "webhook "
                            + (e == null ? d.endpoint() : e.toString())
                            + ", change "
                            + d.id()
                            + ": "
                            + reason;
            dl.reasons = dl.reason + "=1";
            dl.invalidCount = 1;
            dl.sourceTopic = "webhook:" + d.endpoint();
            dl.payload = d.body();
            dl.failedAtMs = System.currentTimeMillis();
            dl.sourceTimestampMs = dl.failedAtMs;
            if (cause == Outbox.Cause.UNDELIVERABLE) {
                // shed alerts are logged by their backlog, counted, not one line each
                LOG.warn(
                        "Webhook delivery failed for good: {}. Sent to the dead-letter topic.",
                        dl.detail);
            }
            letters.add(dl);
        }
        deadLetters.publishAll(letters);
    }

    @Override
    protected void closeResources() {
        if (httpThreads != null) {
            httpThreads.shutdownNow();
        }
        deadLetters.close();
    }
}
