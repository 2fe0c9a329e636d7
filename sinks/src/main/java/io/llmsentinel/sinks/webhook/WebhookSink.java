package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Delivers alerts to webhook endpoints, signed per Standard Webhooks: body {@code {"type":
 * "anomaly.detected", "timestamp": ..., "data": <anomaly>}}, headers {@code webhook-id} (the
 * anomaly id), {@code webhook-timestamp} and {@code webhook-signature}. Asynchronous with a bounded
 * number of requests in flight per endpoint; retried with backoff and jitter; what still fails goes
 * to the dead-letter topic with the reason. A checkpoint waits for the deliveries in flight, so an
 * alert is delivered or dead-lettered at least once.
 */
public class WebhookSink implements Sink<Anomaly> {
    private static final long serialVersionUID = 1L;

    private final List<WebhookEndpoint> endpoints;
    private final DeadLetterPublisher.Factory deadLetters;

    public WebhookSink(List<WebhookEndpoint> endpoints, DeadLetterPublisher.Factory deadLetters) {
        this.endpoints = List.copyOf(endpoints);
        this.deadLetters = deadLetters;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<Anomaly> createWriter(InitContext context) {
        return new WebhookWriter(endpoints, deadLetters.open(), context.metricGroup());
    }
}
