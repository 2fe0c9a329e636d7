package io.llmsentinel.sinks.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertJson;
import io.llmsentinel.functions.detect.Severity;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writer of {@link RabbitMqSink}; one per parallel subtask, one connection and channel. */
final class RabbitMqWriter implements SinkWriter<AlertEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqWriter.class);
    private static final long MAX_BACKOFF_MS = 10_000;

    /** One alert as published: enough to publish it again. */
    private record Message(String routingKey, AMQP.BasicProperties props, byte[] body) {
        String id() {
            return props.getMessageId();
        }
    }

    private final RMQConnectionConfig config;
    private final RabbitMqSettings settings;
    private final Object lock = new Object();

    /** Published on the current channel, not yet confirmed: sequence number to message. */
    private final ConcurrentNavigableMap<Long, Message> outstanding = new ConcurrentSkipListMap<>();

    /** Publish times of the outstanding messages, for the confirm latency. */
    private final Map<Long, Long> publishedAtNs = new ConcurrentSkipListMap<>();

    /** Nacked, or unconfirmed when the connection went: to publish again. */
    private final ArrayDeque<Message> toResend = new ArrayDeque<>();

    private Connection connection;
    private Channel channel;
    private long nextConnectAttemptMs;
    private int connectFailures;

    private final Counter sent;
    private final Counter retried;
    private final Counter failed;
    private final Counter returned;
    private final Counter reconnects;
    private final Histogram latencyMs;

    RabbitMqWriter(RMQConnectionConfig config, RabbitMqSettings settings, MetricGroup metrics) {
        this.config = config;
        this.settings = settings;
        MetricGroup g = metrics.addGroup("sentinel").addGroup("rabbitmq");
        sent = g.counter("sent");
        retried = g.counter("retried");
        failed = g.counter("failed");
        returned = g.counter("returned");
        reconnects = g.counter("reconnects");
        latencyMs = g.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        g.gauge("outstanding", outstanding::size);
        try {
            connect();
        } catch (IOException | TimeoutException e) {
            // Not fatal at start: alerts are kept and published once the broker is reachable.
            LOG.warn(
                    "RabbitMQ at {}:{} is not reachable yet ({}); alerts are kept until it is.",
                    config.getHost(),
                    config.getPort(),
                    e.toString());
        }
    }

    /** The routing key of a resolution: {@code resolved.<severity>}. */
    static final String RESOLVED_PREFIX = "resolved.";

    static Message message(AlertEvent e, String routingKeyPrefix) {
        String severity = e.severity == null ? "unknown" : e.severity.toLowerCase(Locale.ROOT);
        boolean resolved = e.state == AlertEvent.State.RESOLVED;
        AMQP.BasicProperties props =
                new AMQP.BasicProperties.Builder()
                        .contentType("application/json")
                        .contentEncoding("utf-8")
                        .deliveryMode(2) // persistent
                        .messageId(e.messageId())
                        .timestamp(
                                new Date(
                                        resolved
                                                ? System.currentTimeMillis()
                                                : e.anomaly.detectedAtMs))
                        .type(resolved ? "anomaly.resolved" : "anomaly.detected")
                        .appId("llm-sentinel")
                        .build();
        return new Message(
                (resolved ? RESOLVED_PREFIX : routingKeyPrefix) + severity,
                props,
                AlertJson.payload(e));
    }

    @Override
    public void write(AlertEvent a, Context context) throws IOException, InterruptedException {
        if (Severity.parse(a.severity).ordinal() < settings.minSeverity().ordinal()) {
            return;
        }
        Message m = message(a, settings.routingKeyPrefix());
        synchronized (lock) {
            toResend.addLast(m);
            drain(false);
            // The bound: wait for confirms rather than let unconfirmed messages pile up.
            long deadline = System.currentTimeMillis() + settings.flushTimeoutMs();
            while (outstanding.size() + toResend.size() >= settings.maxOutstanding()) {
                waitOnce(deadline);
            }
        }
    }

    /** Publishes what waits, if connected (or the reconnect backoff allows a try). */
    private void drain(boolean force) {
        if (channel == null || !channel.isOpen()) {
            if (!force && System.currentTimeMillis() < nextConnectAttemptMs) {
                return;
            }
            try {
                connect();
            } catch (IOException | TimeoutException e) {
                connectFailures++;
                long backoff =
                        Math.min(
                                MAX_BACKOFF_MS,
                                settings.initialBackoffMs()
                                        << Math.min(16, Math.max(0, connectFailures - 1)));
                nextConnectAttemptMs = System.currentTimeMillis() + backoff;
                LOG.warn(
                        "RabbitMQ connect failed ({} in a row): {}; next try in {} ms, {} alerts"
                                + " waiting",
                        connectFailures,
                        e.toString(),
                        backoff,
                        toResend.size());
                return;
            }
        }
        while (!toResend.isEmpty()) {
            Message m = toResend.peekFirst();
            long seq = channel.getNextPublishSeqNo();
            outstanding.put(seq, m);
            publishedAtNs.put(seq, System.nanoTime());
            try {
                channel.basicPublish(
                        settings.exchange(), m.routingKey(), true, m.props(), m.body());
                toResend.pollFirst();
            } catch (IOException | RuntimeException e) {
                outstanding.remove(seq);
                publishedAtNs.remove(seq);
                LOG.warn("RabbitMQ publish failed: {}; reconnecting", e.toString());
                dropConnection();
                return;
            }
        }
    }

    private void connect() throws IOException, TimeoutException {
        dropConnection();
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
            ch.addConfirmListener(
                    (seq, multiple) -> confirmed(seq, multiple, true),
                    (seq, multiple) -> confirmed(seq, multiple, false));
            ch.addReturnListener(
                    r -> {
                        returned.inc();
                        LOG.warn(
                                "RabbitMQ returned alert {} as unroutable: no queue is bound to"
                                        + " '{}' on exchange '{}' ({} {})",
                                r.getProperties().getMessageId(),
                                r.getRoutingKey(),
                                r.getExchange(),
                                r.getReplyCode(),
                                r.getReplyText());
                    });
            ch.addShutdownListener(
                    cause -> {
                        // The writer polls; taking its lock here could stall an abort.
                        if (!cause.isInitiatedByApplication()) {
                            LOG.warn("RabbitMQ channel closed: {}", cause.getMessage());
                        }
                    });
            connection = c;
            channel = ch;
            if (connectFailures > 0) {
                reconnects.inc();
                LOG.info("RabbitMQ connection is back after {} failed tries", connectFailures);
            }
            connectFailures = 0;
            nextConnectAttemptMs = 0;
        } catch (IOException | RuntimeException e) {
            try {
                c.abort();
            } catch (RuntimeException ignored) {
                // already gone
            }
            throw e;
        }
    }

    /** Closes the channel; whatever it had not confirmed is published again on the next one. */
    private void dropConnection() {
        synchronized (lock) {
            if (!outstanding.isEmpty()) {
                ArrayDeque<Message> again = new ArrayDeque<>(outstanding.values());
                retried.inc(again.size());
                while (!toResend.isEmpty()) {
                    again.addLast(toResend.pollFirst());
                }
                toResend.addAll(again);
                outstanding.clear();
                publishedAtNs.clear();
            }
        }
        if (connection != null) {
            try {
                connection.abort(1000);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        connection = null;
        channel = null;
    }

    private void confirmed(long seq, boolean multiple, boolean ack) {
        synchronized (lock) {
            Map<Long, Message> done =
                    multiple ? outstanding.headMap(seq, true) : subMap(outstanding, seq);
            long now = System.nanoTime();
            for (Map.Entry<Long, Message> e : done.entrySet()) {
                Long at = publishedAtNs.remove(e.getKey());
                if (ack) {
                    sent.inc();
                    if (at != null) {
                        latencyMs.update((now - at) / 1_000_000);
                    }
                } else {
                    failed.inc();
                    retried.inc();
                    LOG.warn("RabbitMQ nacked alert {}; publishing it again", e.getValue().id());
                    toResend.addLast(e.getValue());
                }
            }
            done.clear();
            lock.notifyAll();
        }
    }

    private static Map<Long, Message> subMap(ConcurrentNavigableMap<Long, Message> m, long seq) {
        return m.subMap(seq, true, seq, true);
    }

    /** Waits a little for confirms, reconnecting and republishing as needed. */
    private void waitOnce(long deadline) throws IOException, InterruptedException {
        if (System.currentTimeMillis() > deadline) {
            throw new IOException(
                    "RabbitMQ did not confirm "
                            + (outstanding.size() + toResend.size())
                            + " alert(s) within "
                            + settings.flushTimeoutMs()
                            + " ms; failing so that the job restarts from its last checkpoint");
        }
        drain(false);
        if (!outstanding.isEmpty() || !toResend.isEmpty()) {
            lock.wait(200);
        }
    }

    /** Before every checkpoint: returns when the broker has confirmed every alert written. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + settings.flushTimeoutMs();
        synchronized (lock) {
            while (!outstanding.isEmpty() || !toResend.isEmpty()) {
                waitOnce(deadline);
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (connection != null) {
            try {
                connection.close(5000);
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the RabbitMQ connection: {}", e.toString());
            }
        }
    }
}
