package io.llmsentinel.sinks.redis;

import io.llmsentinel.sinks.delivery.Codecs;
import io.llmsentinel.sinks.delivery.ItemCodec;
import io.llmsentinel.sinks.delivery.Outbox;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxWriter;
import io.llmsentinel.sinks.delivery.Outcome;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;

/**
 * The writer of {@link RedisSink}: each record's commands wait in a checkpointed backlog that drops
 * its oldest when full (the live view is a cache), and go to Redis in pipelined batches.
 */
final class RedisWriter<T> extends OutboxWriter<T, List<String[]>> {

    /** Format 1: the number of commands, then each command's argument count and arguments. */
    static final ItemCodec<List<String[]>> CODEC =
            new ItemCodec<>() {
                @Override
                public byte[] encode(List<String[]> commands) throws IOException {
                    return Codecs.write(
                            out -> {
                                out.writeByte(1);
                                out.writeInt(commands.size());
                                for (String[] c : commands) {
                                    out.writeInt(c.length);
                                    for (String arg : c) {
                                        Codecs.writeString(out, arg);
                                    }
                                }
                            });
                }

                @Override
                public List<String[]> decode(byte[] b) throws IOException {
                    DataInputStream in = Codecs.read(b);
                    int format = in.readByte();
                    if (format != 1) {
                        throw new IOException("unknown Redis backlog format " + format);
                    }
                    int n = in.readInt();
                    List<String[]> commands = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String[] c = new String[in.readInt()];
                        for (int j = 0; j < c.length; j++) {
                            c[j] = Codecs.readString(in);
                        }
                        commands.add(c);
                    }
                    return commands;
                }
            };

    private final RedisSettings settings;
    private final RedisWrites.Mapper<T> mapper;
    private final JedisPooled redis;
    private final Outbox<List<String[]>> outbox;
    private final Histogram latencyMs;

    RedisWriter(
            RedisSettings settings,
            OutboxSettings delivery,
            RedisWrites.Mapper<T> mapper,
            MetricGroup metrics,
            Collection<OutboxState> restored)
            throws IOException {
        super(CODEC);
        this.settings = settings;
        this.mapper = mapper;
        try {
            this.redis =
                    new JedisPooled(
                            new HostAndPort(settings.host(), settings.port()),
                            DefaultJedisClientConfig.builder()
                                    .connectionTimeoutMillis(settings.timeoutMs())
                                    .socketTimeoutMillis(settings.timeoutMs())
                                    .password(settings.password())
                                    .clientName("llm-sentinel")
                                    .build());
            latencyMs = metrics.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
            this.outbox =
                    open(
                            delivery,
                            this::deliver,
                            null, // a cache entry that waited too long is dropped, counted
                            metrics,
                            restored);
        } catch (Throwable t) {
            closeAfterFailedStart(t);
            throw t;
        }
    }

    @Override
    public void write(T value, Context context) throws InterruptedException {
        outbox.add(mapper.commands(value, settings, System.currentTimeMillis()));
    }

    private List<Outcome> deliver(List<List<String[]>> batch) {
        long start = System.nanoTime();
        try (Pipeline p = redis.pipelined()) {
            for (List<String[]> commands : batch) {
                RedisWrites.send(p, commands);
            }
            p.sync();
        } catch (RuntimeException e) {
            return Collections.nCopies(batch.size(), Outcome.retry(e.toString()));
        }
        latencyMs.update((System.nanoTime() - start) / 1_000_000);
        return Collections.nCopies(batch.size(), Outcome.delivered());
    }

    @Override
    protected void closeResources() {
        if (redis != null) {
            redis.close();
        }
    }
}
