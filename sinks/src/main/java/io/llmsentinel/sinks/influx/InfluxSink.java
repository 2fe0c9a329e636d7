package io.llmsentinel.sinks.influx;

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
import org.apache.flink.metrics.MetricGroup;

/**
 * Writes records to InfluxDB 3 through the official client ({@code influxdb3-java}), from a
 * checkpointed backlog ({@link io.llmsentinel.sinks.delivery.Outbox}): batched by size and by time,
 * written in the background, retried with exponential backoff and jitter on timeouts, connection
 * errors, 408, 429 and 5xx for as long as {@code sinks.delivery.give-up-after}. A checkpoint stores
 * the points not yet written instead of waiting for the server, so an InfluxDB outage stops neither
 * detection nor the other outputs, and nothing is lost: after a restart the backlog is written
 * again (see {@link InfluxPoints}: a rewrite is an overwrite). A batch the server rejects as
 * malformed (another 4xx) is not retried: it goes to the dead-letter topic with the server's reason
 * and its line protocol. When the backlog is full, anomalies and alerts are shed to the dead-letter
 * topic one point each (reason {@code backlog_full}; or wait, as {@code sinks.delivery.when-full}
 * says); request points drop their oldest (counted).
 *
 * @param <T> what is stored: anomalies, alerts or requests
 */
public class InfluxSink<T> implements Sink<T>, SupportsWriterState<T, OutboxState> {
    private static final long serialVersionUID = 1L;

    private final InfluxSettings settings;
    private final OutboxSettings delivery;
    private final InfluxPoints.Mapper<T> mapper;
    private final String metricsName;
    private final DeadLetterPublisher.Factory deadLetters;

    /**
     * @param delivery the backlog's settings; its name is the metric group under {@code
     *     sentinel.influxdb} ({@code anomalies}, {@code requests}) and the state's name
     * @param deadLetters where points InfluxDB refuses go, with the reason
     */
    public InfluxSink(
            InfluxSettings settings,
            OutboxSettings delivery,
            InfluxPoints.Mapper<T> mapper,
            DeadLetterPublisher.Factory deadLetters) {
        this.settings = settings;
        this.delivery = delivery;
        this.mapper = mapper;
        this.metricsName = delivery.name();
        this.deadLetters = deadLetters;
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
        MetricGroup metrics =
                context.metricGroup()
                        .addGroup("sentinel")
                        .addGroup("influxdb")
                        .addGroup(metricsName);
        DeadLetterPublisher publisher = deadLetters.open();
        InfluxWriter.Client client;
        try {
            client = InfluxWriter.clientFor(settings);
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
        // from here on the writer closes both, also when it fails to start
        return new InfluxWriter<>(
                delivery, mapper, metrics, client, publisher, metricsName, restored);
    }

    @Override
    public SimpleVersionedSerializer<OutboxState> getWriterStateSerializer() {
        return new OutboxStateSerializer();
    }
}
