package io.llmsentinel.sinks.rabbitmq;

import java.io.Serializable;

/**
 * How alerts are published, beside the connection settings.
 *
 * @param exchange the durable topic exchange (declared if missing)
 * @param routingKeyPrefix prefix of the routing key; the severity follows ({@code alert.high})
 * @param maxOutstanding published but unconfirmed messages before the writer waits for confirms
 * @param flushTimeoutMs how long a checkpoint waits for the broker (reconnecting with backoff)
 *     before it fails, so that the job restarts from the last checkpoint and replays
 * @param initialBackoffMs first reconnect delay; doubled per attempt up to 10 s
 */
public record RabbitMqSettings(
        String exchange,
        String routingKeyPrefix,
        int maxOutstanding,
        long flushTimeoutMs,
        long initialBackoffMs)
        implements Serializable {

    public RabbitMqSettings {
        if (exchange == null || exchange.isBlank()) {
            throw new IllegalArgumentException("the RabbitMQ exchange must be named");
        }
        if (maxOutstanding < 1 || flushTimeoutMs < 1 || initialBackoffMs < 1) {
            throw new IllegalArgumentException(
                    "max outstanding, flush timeout and backoff must be positive");
        }
    }

    public static RabbitMqSettings defaults() {
        return new RabbitMqSettings("sentinel.alerts", "alert.", 1000, 120_000, 500);
    }
}
