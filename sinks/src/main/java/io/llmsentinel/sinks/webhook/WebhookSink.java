package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxStateSerializer;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Delivers alert changes to webhook endpoints, signed per Standard Webhooks: body {@code {"type":
 * "anomaly.detected", "timestamp": ..., "data": <anomaly, with its "alert">}} when an alert opens
 * or escalates, {@code {"type": "anomaly.resolved", ..., "data": <the alert's summary>}} when it
 * resolves; headers {@code webhook-id} (the anomaly id, or {@code <alert id>:resolved}), {@code
 * webhook-timestamp} and {@code webhook-signature}.
 *
 * <p>Each endpoint has its own checkpointed backlog ({@link io.llmsentinel.sinks.delivery.Outbox}):
 * up to max-in-flight requests at once, each with one deadline for the whole exchange; timeouts,
 * connection errors, 408, 429 and 5xx are retried with backoff and jitter (Retry-After honoured)
 * until the endpoint's give-up-after, then dead-lettered; another 4xx is dead-lettered at once. A
 * checkpoint stores the backlog instead of waiting, so a hanging or dead endpoint holds back
 * neither checkpoints nor detection, and an alert is delivered or dead-lettered at least once.
 */
public class WebhookSink implements Sink<AlertEvent>, SupportsWriterState<AlertEvent, OutboxState> {
    private static final long serialVersionUID = 1L;

    private final List<WebhookEndpoint> endpoints;
    private final OutboxSettings delivery;
    private final DeadLetterPublisher.Factory deadLetters;

    public WebhookSink(
            List<WebhookEndpoint> endpoints,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        this.endpoints = List.copyOf(endpoints);
        this.delivery = delivery;
        this.deadLetters = deadLetters;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<AlertEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException("created through createWriter(WriterInitContext)");
    }

    @Override
    public SinkWriter<AlertEvent> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<AlertEvent, OutboxState> restoreWriter(
            WriterInitContext context, Collection<OutboxState> restored) throws IOException {
        return new WebhookWriter(
                endpoints, delivery, deadLetters.open(), context.metricGroup(), restored);
    }

    @Override
    public SimpleVersionedSerializer<OutboxState> getWriterStateSerializer() {
        return new OutboxStateSerializer();
    }
}
