package io.llmsentinel.sinks.webhook;

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
import org.apache.flink.util.function.SerializableFunction;

/**
 * Delivers incident changes ({@link #incidents}, the default) or alert changes ({@link #alerts}) to
 * webhook endpoints, each in its {@link WebhookFormat}:
 *
 * <ul>
 *   <li>Standard Webhooks: body {@code {"type": "incident.opened" | "incident.updated" |
 *       "incident.resolved", "timestamp": ..., "data": <the incident>}} (for alerts {@code
 *       anomaly.detected} with the anomaly and its alert, {@code anomaly.resolved} with the alert's
 *       summary); headers {@code webhook-id} (the change's message id), {@code webhook-timestamp}
 *       and {@code webhook-signature};
 *   <li>Slack: an incoming-webhook message ({@link SlackMessage});
 *   <li>PagerDuty: an Events API v2 event, trigger then resolve with the same dedup key ({@link
 *       PagerDutyEvent}).
 * </ul>
 *
 * <p>Each endpoint has its own checkpointed backlog ({@link io.llmsentinel.sinks.delivery.Outbox}):
 * up to max-in-flight requests at once, each with one deadline for the whole exchange; timeouts,
 * connection errors, 408, 429 and 5xx are retried with backoff and jitter (Retry-After honoured)
 * until the endpoint's give-up-after, then dead-lettered; another 4xx is dead-lettered at once. A
 * checkpoint stores the backlog instead of waiting, so a hanging or dead endpoint holds back
 * neither checkpoints nor detection, and a change is delivered or dead-lettered at least once. The
 * backlog holds rendered bodies, not events, so its state is the same whatever the sink delivers.
 *
 * @param <T> what it delivers
 */
public class WebhookSink<T> implements Sink<T>, SupportsWriterState<T, OutboxState> {
    private static final long serialVersionUID = 1L;

    private final SerializableFunction<T, Notification> notifications;
    private final List<WebhookEndpoint> endpoints;
    private final OutboxSettings delivery;
    private final DeadLetterPublisher.Factory deadLetters;

    public WebhookSink(
            SerializableFunction<T, Notification> notifications,
            List<WebhookEndpoint> endpoints,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        this.notifications = notifications;
        this.endpoints = List.copyOf(endpoints);
        this.delivery = delivery;
        this.deadLetters = deadLetters;
    }

    /** One notification per incident change. */
    public static WebhookSink<IncidentEvent> incidents(
            List<WebhookEndpoint> endpoints,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        return new WebhookSink<>(Notification::of, endpoints, delivery, deadLetters);
    }

    /** One notification per alert change (per-alert delivery). */
    public static WebhookSink<AlertEvent> alerts(
            List<WebhookEndpoint> endpoints,
            OutboxSettings delivery,
            DeadLetterPublisher.Factory deadLetters) {
        return new WebhookSink<>(Notification::of, endpoints, delivery, deadLetters);
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
        return new WebhookWriter<>(
                notifications,
                endpoints,
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
