package io.llmsentinel.sinks.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link RabbitMqSink}. Changes wait in a checkpointed backlog as the messages they
 * become (so the state is the same whatever the sink delivers); its delivery thread publishes a
 * batch on a channel in confirm mode and waits for the broker's confirms. Everything a channel
 * publishes and hears back is kept in that channel's own {@link Published} record, so a late
 * confirm from a channel that was replaced changes nothing; a message the broker returns as
 * unroutable is not delivered: it goes to the dead-letter topic (reason {@code
 * rabbitmq_unroutable}) and is counted.
 *
 * @param <T> what the sink delivers: incidents or alerts
 */
final class RabbitMqWriter<T> extends OutboxWriter<T, RabbitMqWriter.Message> {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqWriter.class);

    /** One change as published: enough to publish it again, and to keep in a checkpoint. */
    record Message(
            String routingKey, String messageId, String type, long timestampMs, byte[] body) {
        AMQP.BasicProperties props() {
            return new AMQP.BasicProperties.Builder()
                    .contentType("application/json")
                    .contentEncoding("utf-8")
                    .deliveryMode(2) // persistent
                    .messageId(messageId)
                    .timestamp(new Date(timestampMs))
                    .type(type)
                    .appId("llm-sentinel")
                    .build();
        }
    }

    /** Format 1: routing key, message id, type, timestamp, body. */
    static final ItemCodec<Message> CODEC =
            new ItemCodec<>() {
                @Override
                public byte[] encode(Message m) throws IOException {
                    return Codecs.write(
                            out -> {
                                out.writeByte(1);
                                Codecs.writeString(out, m.routingKey());
                                Codecs.writeString(out, m.messageId());
                                Codecs.writeString(out, m.type());
                                out.writeLong(m.timestampMs());
                                Codecs.writeBytes(out, m.body());
                            });
                }

                @Override
                public Message decode(byte[] b) throws IOException {
                    DataInputStream in = Codecs.read(b);
                    int format = in.readByte();
                    if (format != 1) {
                        throw new IOException("unknown RabbitMQ backlog format " + format);
                    }
                    return new Message(
                            Codecs.readString(in),
                            Codecs.readString(in),
                            Codecs.readString(in),
                            in.readLong(),
                            Codecs.readBytes(in));
                }
            };

    /**
     * What one channel published and what the broker said about it. Listeners of a channel only
     * ever touch its own record: once the channel is replaced, nothing it hears matters.
     */
    static final class Published {
        /** When this channel was opened after another one was lost (0 on the first connect). */
        final long reconnectedAtMs;

        /** Publish sequence numbers not confirmed yet (the value is unused). */
        final Map<Long, Integer> unconfirmed = new ConcurrentHashMap<>();

        /**
         * What the broker said, by publish sequence number: never by position in a batch, since a
         * channel publishes many batches and a stale answer must not stand for a new message.
         */
        final Map<Long, Boolean> acked = new ConcurrentHashMap<>();

        final Set<String> returned = ConcurrentHashMap.newKeySet();
        final Map<String, String> returnReason = new ConcurrentHashMap<>();
        private boolean shut;

        Published(long reconnectedAtMs) {
            this.reconnectedAtMs = reconnectedAtMs;
        }

        /** The connection is gone: nothing more will be confirmed on this channel. */
        synchronized void shutdown() {
            shut = true;
            notifyAll();
        }

        synchronized void confirm(long seq, boolean multiple, boolean ack) {
            if (multiple) {
                unconfirmed
                        .entrySet()
                        .removeIf(
                                e -> {
                                    if (e.getKey() <= seq) {
                                        acked.put(e.getKey(), ack);
                                        return true;
                                    }
                                    return false;
                                });
            } else {
                if (unconfirmed.remove(seq) != null) {
                    acked.put(seq, ack);
                }
            }
            notifyAll();
        }

        synchronized boolean await(long deadlineMs) throws InterruptedException {
            while (!unconfirmed.isEmpty()) {
                if (shut) {
                    return false;
                }
                long wait = deadlineMs - System.currentTimeMillis();
                if (wait <= 0) {
                    return false;
                }
                wait(Math.min(wait, 200));
            }
            return true;
        }
    }

    private final Function<T, Notification> notifications;
    private final RMQConnectionConfig config;
    private final RabbitMqSettings settings;
    private final DeadLetterPublisher deadLetters;
    private final Outbox<Message> outbox;
    private final Object channelLock = new Object();
    private Connection connection;
    private Channel channel;
    private volatile Published current;
    private boolean everConnected;

    private final Counter sent;
    private final Counter returned;
    private final Counter unreadable;
    private final Counter reconnects;
    private final Counter lateConfirmsIgnored;
    private final Histogram latencyMs;

    RabbitMqWriter(
            Function<T, Notification> notifications,
            RMQConnectionConfig config,
            RabbitMqSettings settings,
            OutboxSettings delivery,
            DeadLetterPublisher deadLetters,
            MetricGroup metrics,
            Collection<OutboxState> restored)
            throws IOException {
        super(CODEC);
        this.notifications = notifications;
        this.deadLetters = deadLetters;
        this.config = config;
        this.settings = settings;
        try {
            MetricGroup g = metrics.addGroup("sentinel").addGroup("rabbitmq");
            sent = g.counter("sent");
            returned = g.counter("returned");
            unreadable = g.counter("unreadable");
            reconnects = g.counter("reconnects");
            lateConfirmsIgnored = g.counter("lateConfirmsIgnored");
            latencyMs = g.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
            this.outbox = open(delivery, this::deliver, this::deadLetter, g, restored);
        } catch (Throwable t) {
            closeAfterFailedStart(t);
            throw t;
        }
    }

    /**
     * How long after a reconnect a returned (unroutable) alert is retried rather than
     * dead-lettered: a restarted broker accepts connections while it may still be recovering
     * durable queues.
     */
    static final long RECOVERY_GRACE_MS = 15_000;

    /** The routing key of an alert's resolution: {@code resolved.<severity>}. */
    static final String RESOLVED_PREFIX = "resolved.";

    /** The routing key of an incident change: {@code incident.<opened|updated|resolved>.<sev>}. */
    static final String INCIDENT_PREFIX = "incident.";

    /**
     * The message of a change. An alert: {@code <routing-key-prefix><severity>}, its resolution
     * {@code resolved.<severity>}, as before incidents. An incident: always three words, {@code
     * incident.<change>.<severity>}, so {@code incident.#} takes every incident change, {@code
     * incident.*.critical} those of critical incidents and {@code incident.opened.*} the openings
     * only.
     */
    static Message message(Notification n, String routingKeyPrefix) {
        String severity = n.severity() == null ? "unknown" : n.severity().toLowerCase(Locale.ROOT);
        String routingKey =
                switch (n.kind()) {
                    case ALERT -> (n.resolved() ? RESOLVED_PREFIX : routingKeyPrefix) + severity;
                    case INCIDENT -> INCIDENT_PREFIX + n.action() + "." + severity;
                };
        return new Message(routingKey, n.messageId(), n.type(), n.timestampMs(), n.data());
    }

    @Override
    public void write(T event, Context context) throws InterruptedException {
        Message m;
        try {
            Notification n = notifications.apply(event);
            if (!n.atLeast(settings.minSeverity())) {
                return;
            }
            m = message(n, settings.routingKeyPrefix());
        } catch (RuntimeException e) {
            // A bug upstream or here, not the broker's fault: logged and counted rather than
            // failing the task over and over on the same record.
            unreadable.inc();
            LOG.error(
                    "A change could not be rendered for RabbitMQ and is skipped (counted as"
                            + " unreadable; please report it with this line): {}",
                    e.toString(),
                    e);
            return;
        }
        outbox.add(m);
    }

    /** Publishes a batch and waits for its confirms; runs on the backlog's delivery thread. */
    private List<Outcome> deliver(List<Message> batch) throws InterruptedException {
        List<Outcome> out = new ArrayList<>(batch.size());
        Channel ch;
        Published p;
        try {
            synchronized (channelLock) {
                if (channel == null || !channel.isOpen()) {
                    connect();
                }
                ch = channel;
                p = current;
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            String reason = "RabbitMQ unreachable: " + e;
            batch.forEach(m -> out.add(Outcome.retry(reason)));
            return out;
        }
        long start = System.nanoTime();
        int published = 0;
        long[] seqs = new long[batch.size()];
        String publishError = null;
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            try {
                long seq = ch.getNextPublishSeqNo();
                seqs[i] = seq;
                p.unconfirmed.put(seq, i);
                ch.basicPublish(settings.exchange(), m.routingKey(), true, m.props(), m.body());
                published++;
            } catch (IOException | RuntimeException e) {
                publishError = e.toString();
                break;
            }
        }
        boolean confirmed = p.await(System.currentTimeMillis() + settings.confirmTimeoutMs());
        if (!confirmed || publishError != null) {
            // This channel is done: whatever it confirms from now on lands in its own record.
            dropConnection(
                    publishError != null
                            ? "publish failed: " + publishError
                            : "no confirms within " + settings.confirmTimeoutMs() + " ms");
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            Boolean ack = i < published ? p.acked.remove(seqs[i]) : null;
            // a return answers this publish only: consumed, so a retry on this channel starts clean
            boolean wasReturned = ack != null && p.returned.remove(m.messageId());
            if (ack == null) {
                out.add(
                        Outcome.retry(
                                publishError != null
                                        ? "publish failed: " + publishError
                                        : "not confirmed"));
            } else if (!ack) {
                out.add(Outcome.retry("nacked by the broker"));
            } else if (wasReturned
                    && p.reconnectedAtMs > 0
                    && System.currentTimeMillis() - p.reconnectedAtMs < RECOVERY_GRACE_MS) {
                // A broker that just came back may not have recovered its queues and bindings
                // yet: routing is not final until it has.
                out.add(
                        Outcome.retry(
                                "rabbitmq_unroutable right after reconnecting (the broker may"
                                        + " still be recovering its queues)",
                                1_000));
            } else if (wasReturned) {
                returned.inc();
                out.add(
                        Outcome.reject(
                                "rabbitmq_unroutable: no queue bound to routing key '"
                                        + m.routingKey()
                                        + "' on exchange '"
                                        + settings.exchange()
                                        + "' ("
                                        + p.returnReason.get(m.messageId())
                                        + ")"));
            } else {
                sent.inc();
                latencyMs.update(ms);
                out.add(Outcome.delivered());
            }
        }
        return out;
    }

    private void connect() throws IOException, TimeoutException {
        dropConnection(null);
        ConnectionFactory factory;
        try {
            factory = config.getConnectionFactory();
        } catch (Exception e) {
            throw new IOException("bad RabbitMQ connection settings: " + e.getMessage(), e);
        }
        // We reconnect and republish ourselves; the client's recovery would lose the confirms.
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        Connection c = factory.newConnection("llm-sentinel-alerts");
        try {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(settings.exchange(), "topic", true);
            ch.confirmSelect();
            Published p = new Published(everConnected ? System.currentTimeMillis() : 0);
            c.addShutdownListener(cause -> p.shutdown());
            ch.addConfirmListener(
                    (seq, multiple) -> confirmed(p, seq, multiple, true),
                    (seq, multiple) -> confirmed(p, seq, multiple, false));
            ch.addReturnListener(
                    r -> {
                        String id = r.getProperties().getMessageId();
                        p.returnReason.put(id, r.getReplyCode() + " " + r.getReplyText());
                        p.returned.add(id);
                        LOG.warn(
                                "RabbitMQ returned message {} as unroutable: no queue is bound to"
                                        + " '{}' on exchange '{}' ({} {}); it goes to the"
                                        + " dead-letter topic",
                                id,
                                r.getRoutingKey(),
                                r.getExchange(),
                                r.getReplyCode(),
                                r.getReplyText());
                    });
            if (everConnected) {
                reconnects.inc();
            }
            everConnected = true;
            connection = c;
            channel = ch;
            current = p;
            LOG.info("RabbitMQ connected to {}:{}", config.getHost(), config.getPort());
        } catch (IOException | RuntimeException e) {
            try {
                c.abort();
            } catch (RuntimeException ignored) {
                // already gone
            }
            throw e;
        }
    }

    /** The record of the channel in use (tests). */
    Published current() {
        return current;
    }

    /** Replaces the channel as a confirm timeout does (tests). */
    void replaceChannel(String why) {
        dropConnection(why);
    }

    void confirmed(Published p, long seq, boolean multiple, boolean ack) {
        if (p != current) {
            lateConfirmsIgnored.inc();
            return;
        }
        p.confirm(seq, multiple, ack);
    }

    /** Closes the connection; its channel's record is no longer {@link #current}. */
    private void dropConnection(String why) {
        synchronized (channelLock) {
            if (why != null && connection != null) {
                LOG.warn("RabbitMQ channel replaced: {}", why);
            }
            Connection c = connection;
            connection = null;
            channel = null;
            current = null;
            if (c != null) {
                try {
                    c.abort(1000);
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    private void deadLetter(List<Message> messages, Outbox.Cause cause, String reason)
            throws Exception {
        List<DeadLetter> letters = new ArrayList<>(messages.size());
        for (Message m : messages) {
            DeadLetter d = new DeadLetter();
            d.reason =
                    cause.reason(
                            reason.startsWith("rabbitmq_unroutable")
                                    ? "rabbitmq_unroutable"
                                    : "rabbitmq_failed");
            d.detail = "RabbitMQ message " + m.messageId() + " (" + m.routingKey() + "): " + reason;
            d.reasons = d.reason + "=1";
            d.invalidCount = 1;
            d.sourceTopic = "rabbitmq:" + settings.exchange();
            d.payload = m.body();
            d.failedAtMs = System.currentTimeMillis();
            d.sourceTimestampMs = m.timestampMs();
            letters.add(d);
        }
        deadLetters.publishAll(letters);
    }

    @Override
    protected void closeResources() {
        Connection c;
        synchronized (channelLock) {
            c = connection;
            connection = null;
            channel = null;
            current = null;
        }
        if (c != null) {
            try {
                c.close(5000);
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the RabbitMQ connection: {}", e.toString());
            }
        }
        deadLetters.close();
    }
}
