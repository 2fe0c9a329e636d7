package io.llmsentinel.sinks.redis;

import io.llmsentinel.functions.model.RedisKeys;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * The live view in Redis: each key's current baselines and each service's recent anomalies ({@link
 * RedisKeys}). Redis is a cache here, not a system of record (InfluxDB and Kafka are), so the
 * writer never holds the pipeline back: records go to a bounded queue that a background thread
 * writes in pipelined batches; when Redis is slow or down, what does not fit is dropped and counted
 * ({@code dropped}), failed batches are counted ({@code failed}) and logged at most every ten
 * seconds, and the next baseline snapshot replaces a lost one. A checkpoint does not wait for
 * Redis.
 *
 * @param <T> baseline snapshots or anomalies
 */
public class RedisSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final RedisSettings settings;
    private final RedisWrites.Mapper<T> mapper;
    private final String metricsName;

    public RedisSink(RedisSettings settings, RedisWrites.Mapper<T> mapper, String metricsName) {
        this.settings = settings;
        this.mapper = mapper;
        this.metricsName = metricsName;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<T> createWriter(InitContext context) {
        return new RedisWriter<>(
                settings,
                mapper,
                context.metricGroup().addGroup("sentinel").addGroup("redis").addGroup(metricsName));
    }
}
