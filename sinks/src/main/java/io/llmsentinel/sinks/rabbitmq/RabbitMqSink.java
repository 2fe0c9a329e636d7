package io.llmsentinel.sinks.rabbitmq;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxStateSerializer;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import io.llmsentinel.sinks.notification.Notification;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Publishes incident changes ({@link #incidents}, the default) or alert changes ({@link #alerts})
 * to a durable RabbitMQ topic exchange, at least once, for those at least as severe as the
 * configured minimum (their resolutions too).
 *
 * <p>An incident change is a persistent JSON message (content type {@code application/json}, {@code
 * message_id} = the change's message id {@code <incident id>:<change>:<sequence>}, timestamp = the
 * change's event time, type {@code incident.opened}, {@code incident.updated} or {@code
 * incident.resolved}, body the incident) with routing key {@code incident.<change>.<severity>}
 * ({@code incident.opened.high}).
 *
 * <p>An opened or escalated alert is a persistent JSON message (content type {@code
 * application/json}, {@code message_id} = the anomaly id, timestamp = detection time, type {@code
 * anomaly.detected}, body the anomaly with its alert) with routing key {@code alert.<severity>}; a
 * resolution has type {@code anomaly.resolved}, {@code message_id} = {@code <alert id>:resolved},
 * routing key {@code resolved.<severity>} and the alert's summary as body. Every message has the
 * {@code mandatory} flag and goes on a channel in publisher confirm mode.
 *
 * <p>Messages wait in a checkpointed backlog ({@link io.llmsentinel.sinks.delivery.Outbox}) until
 * the broker confirms them; a nack, a lost connection or a missing confirm means the message is
 * published again (keeping its {@code message_id}, so consumers can drop the duplicate). A
 * checkpoint stores the backlog instead of waiting for the broker, so a broker outage stops neither
 * detection nor the other outputs, and a restart loses nothing. Confirms are tied to the channel
 * that published; a message the broker returns as unroutable (no queue bound to its severity) goes
 * to the dead-letter topic and is counted ({@code returned}), never counted as sent.
 *
 * <p>The connector's legacy {@code RMQSink} publishes without confirms; this sink keeps its
 * configuration type, {@link RMQConnectionConfig}, and does the sending itself.
 */
public class RabbitMqSink<T> implements Sink<T>, SupportsWriterState<T, OutboxState> {
    private static final long serialVersionUID = 1L;

    private final SerializableFunction<T, Notification> notifications;
    private final RMQConnectionConfig connection;
    private final RabbitMqSettings settings;
    private final OutboxSettings delivery;
    private final DeadLetterPublisher.Factory deadLetters;

    public RabbitMqSink(
            SerializableFunction<T, Notification> notifications,
            RMQConnectionConfig connection,
            RabbitMqSettings settings,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        this.notifications = notifications;
        this.connection = connection;
        this.settings = settings;
        this.delivery = delivery;
        this.deadLetters = deadLetters;
    }

    /** One message per incident change. */
    public static RabbitMqSink<IncidentEvent> incidents(
            RMQConnectionConfig connection,
            RabbitMqSettings settings,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        return new RabbitMqSink<>(Notification::of, connection, settings, delivery, deadLetters);
    }

    /** One message per alert change (per-alert delivery). */
    public static RabbitMqSink<AlertEvent> alerts(
            RMQConnectionConfig connection,
            RabbitMqSettings settings,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        return new RabbitMqSink<>(Notification::of, connection, settings, delivery, deadLetters);
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<T> createWriter(InitContext context) {
        throw new UnsupportedOperationException("created through createWriter(WriterInitContext)");
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, OutboxState> restoreWriter(
            WriterInitContext context, Collection<OutboxState> restored) throws IOException {
        return new RabbitMqWriter<>(
                notifications,
                connection,
                settings,
                delivery,
                deadLetters.open(),
                context.metricGroup(),
                restored);
    }

    @Override
    public SimpleVersionedSerializer<OutboxState> getWriterStateSerializer() {
        return new OutboxStateSerializer();
    }
}
