package io.llmsentinel.sinks.redis;

import io.llmsentinel.functions.model.RedisKeys;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxStateSerializer;
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
 * The live view in Redis: each key's current baselines and each service's recent anomalies ({@link
 * RedisKeys}). Redis is a cache here, not a system of record (InfluxDB and Kafka are): records wait
 * in a checkpointed backlog ({@link io.llmsentinel.sinks.delivery.Outbox}) that a background thread
 * writes in pipelined batches, retrying while Redis is away; when the backlog is full its oldest
 * records are dropped and counted ({@code dropped}). A checkpoint does not wait for Redis.
 *
 * @param <T> baseline snapshots or anomalies
 */
public class RedisSink<T> implements Sink<T>, SupportsWriterState<T, OutboxState> {
    private static final long serialVersionUID = 1L;

    private final RedisSettings settings;
    private final OutboxSettings delivery;
    private final RedisWrites.Mapper<T> mapper;

    /**
     * @param delivery the backlog; its name is the metric group under {@code sentinel.redis}
     */
    public RedisSink(
            RedisSettings settings, OutboxSettings delivery, RedisWrites.Mapper<T> mapper) {
        this.settings = settings;
        this.delivery = delivery;
        this.mapper = mapper;
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
        return new RedisWriter<>(
                settings,
                delivery,
                mapper,
                context.metricGroup()
                        .addGroup("sentinel")
                        .addGroup("redis")
                        .addGroup(delivery.name()),
                restored);
    }

    @Override
    public SimpleVersionedSerializer<OutboxState> getWriterStateSerializer() {
        return new OutboxStateSerializer();
    }
}
