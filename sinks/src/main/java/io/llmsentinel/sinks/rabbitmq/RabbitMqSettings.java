package io.llmsentinel.sinks.rabbitmq;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.RabbitMqOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;

/**
 * How alerts are published, beside the connection settings.
 *
 * @param exchange the durable topic exchange (declared if missing)
 * @param routingKeyPrefix prefix of the routing key; the severity follows ({@code alert.high})
 * @param maxOutstanding messages published before waiting for their confirms (one batch)
 * @param confirmTimeoutMs how long the broker has to confirm a batch before the channel is replaced
 *     and the batch published again
 * @param initialBackoffMs unused since the backlog does the backoff; kept at 500
 * @param minSeverity alerts less severe than this are not published
 */
public record RabbitMqSettings(
        String exchange,
        String routingKeyPrefix,
        int maxOutstanding,
        long confirmTimeoutMs,
        long initialBackoffMs,
        Severity minSeverity)
        implements Serializable {

    public RabbitMqSettings {
        if (exchange == null || exchange.isBlank()) {
            throw new IllegalArgumentException("the RabbitMQ exchange must be named");
        }
        if (minSeverity == null) {
            throw new IllegalArgumentException("the minimum severity must be set");
        }
        if (maxOutstanding < 1 || confirmTimeoutMs < 1 || initialBackoffMs < 1) {
            throw new IllegalArgumentException(
                    "max outstanding, confirm timeout and backoff must be positive");
        }
    }

    /** {@code sinks.rabbitmq.*}: how alerts are published. */
    public static RabbitMqSettings from(SentinelConfig c) {
        try {
            return new RabbitMqSettings(
                    c.get(RabbitMqOptions.EXCHANGE),
                    c.get(RabbitMqOptions.ROUTING_KEY_PREFIX),
                    c.get(RabbitMqOptions.MAX_OUTSTANDING),
                    c.get(RabbitMqOptions.CONFIRM_TIMEOUT).toMillis(),
                    500,
                    c.get(RabbitMqOptions.MIN_SEVERITY));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sinks.rabbitmq: " + e.getMessage());
        }
    }

    /** {@code sinks.rabbitmq.*}: the connection, in the connector's own configuration type. */
    public static RMQConnectionConfig connection(SentinelConfig c) {
        return new RMQConnectionConfig.Builder()
                .setHost(c.get(RabbitMqOptions.HOST))
                .setPort(c.get(RabbitMqOptions.PORT))
                .setVirtualHost(c.get(RabbitMqOptions.VIRTUAL_HOST))
                .setUserName(c.get(RabbitMqOptions.USERNAME))
                .setPassword(c.get(RabbitMqOptions.PASSWORD))
                .setConnectionTimeout(5000)
                .build();
    }

    public static RabbitMqSettings defaults() {
        return new RabbitMqSettings("sentinel.alerts", "alert.", 1000, 30_000, 500, Severity.LOW);
    }
}
