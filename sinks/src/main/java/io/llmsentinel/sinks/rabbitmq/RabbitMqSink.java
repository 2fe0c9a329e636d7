package io.llmsentinel.sinks.rabbitmq;

import io.llmsentinel.functions.alert.AlertEvent;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;

/**
 * Publishes alert changes to a durable RabbitMQ topic exchange, at least once, for alerts at least
 * as severe as the configured minimum (their resolutions too).
 *
 * <p>An opened or escalated alert is a persistent JSON message (content type {@code
 * application/json}, {@code message_id} = the anomaly id, timestamp = detection time, type {@code
 * anomaly.detected}, body the anomaly with its alert) with routing key {@code alert.<severity>}; a
 * resolution has type {@code anomaly.resolved}, {@code message_id} = {@code <alert id>:resolved},
 * routing key {@code resolved.<severity>} and the alert's summary as body. Every message has the
 * {@code mandatory} flag and goes on a channel in publisher confirm mode. A message counts as
 * delivered only when the broker confirms it; until then it is kept, and republished after a nack
 * or a lost connection. {@link SinkWriter#flush} runs before every checkpoint and returns only when
 * nothing is outstanding, so a checkpoint never completes with an alert the broker has not taken: a
 * broker restart or a job failure loses nothing (a republished alert keeps its {@code message_id},
 * so consumers can drop the duplicate). Messages the broker returns as unroutable (no queue bound
 * to their severity) are counted and logged.
 *
 * <p>The connector's legacy {@code RMQSink} publishes without confirms; this sink keeps its
 * configuration type, {@link RMQConnectionConfig}, and does the sending itself.
 */
public class RabbitMqSink implements Sink<AlertEvent> {
    private static final long serialVersionUID = 1L;

    private final RMQConnectionConfig connection;
    private final RabbitMqSettings settings;

    public RabbitMqSink(RMQConnectionConfig connection, RabbitMqSettings settings) {
        this.connection = connection;
        this.settings = settings;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<AlertEvent> createWriter(InitContext context) {
        return new RabbitMqWriter(connection, settings, context.metricGroup());
    }
}
