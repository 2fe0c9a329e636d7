package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Delivers alert changes to webhook endpoints, signed per Standard Webhooks: body {@code {"type":
 * "anomaly.detected", "timestamp": ..., "data": <anomaly, with its "alert">}} when an alert opens
 * or escalates, {@code {"type": "anomaly.resolved", ..., "data": <the alert's summary>}} when it
 * resolves; headers {@code webhook-id} (the anomaly id, or {@code <alert id>:resolved}), {@code
 * webhook-timestamp} and {@code webhook-signature}. Asynchronous with a bounded number of requests
 * in flight per endpoint; retried with backoff and jitter; what still fails goes to the dead-letter
 * topic with the reason. A checkpoint waits for the deliveries in flight, so an alert is delivered
 * or dead-lettered at least once.
 */
public class WebhookSink implements Sink<AlertEvent> {
    private static final long serialVersionUID = 1L;

    private final List<WebhookEndpoint> endpoints;
    private final DeadLetterPublisher.Factory deadLetters;

    public WebhookSink(List<WebhookEndpoint> endpoints, DeadLetterPublisher.Factory deadLetters) {
        this.endpoints = List.copyOf(endpoints);
        this.deadLetters = deadLetters;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<AlertEvent> createWriter(InitContext context) {
        return new WebhookWriter(endpoints, deadLetters.open(), context.metricGroup());
    }
}
