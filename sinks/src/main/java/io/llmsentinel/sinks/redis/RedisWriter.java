package io.llmsentinel.sinks.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;

/** The writer of {@link RedisSink}: a bounded queue and one background thread. */
final class RedisWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisWriter.class);
    private static final int BATCH = 500;
    private static final long LOG_EVERY_MS = 10_000;

    private final RedisSettings settings;
    private final RedisWrites.Mapper<T> mapper;
    private final BlockingQueue<T> queue;
    private final JedisPooled redis;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean lastBatchFailed;

    /** Records queued or in the batch being written. */
    private final AtomicInteger pending = new AtomicInteger();

    private long lastDropLogMs;
    private long lastFailureLogMs;

    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final Histogram latencyMs;

    RedisWriter(RedisSettings settings, RedisWrites.Mapper<T> mapper, MetricGroup metrics) {
        this.settings = settings;
        this.mapper = mapper;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.redis =
                new JedisPooled(
                        new HostAndPort(settings.host(), settings.port()),
                        DefaultJedisClientConfig.builder()
                                .connectionTimeoutMillis(settings.timeoutMs())
                                .socketTimeoutMillis(settings.timeoutMs())
                                .password(settings.password())
                                .clientName("llm-sentinel")
                                .build());
        sent = metrics.counter("sent");
        failed = metrics.counter("failed");
        dropped = metrics.counter("dropped");
        latencyMs = metrics.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        metrics.gauge("queued", queue::size);
        thread = new Thread(this::run, "redis-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void write(T value, Context context) {
        pending.incrementAndGet(); // before the offer: the writing thread may take it at once
        if (!queue.offer(value)) {
            pending.decrementAndGet();
            dropped.inc();
            long now = System.currentTimeMillis();
            if (now - lastDropLogMs > LOG_EVERY_MS) {
                lastDropLogMs = now;
                LOG.warn(
                        "Redis is not keeping up: its queue of {} is full; dropping live-view"
                                + " writes ({} so far). The pipeline is not held back.",
                        settings.queueCapacity(),
                        dropped.getCount());
            }
        }
    }

    private void run() {
        List<T> batch = new ArrayList<>(BATCH);
        long backoffMs = 0;
        while (running) {
            try {
                T first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                long start = System.nanoTime();
                try (Pipeline p = redis.pipelined()) {
                    for (T v : batch) {
                        mapper.write(p, v, settings);
                    }
                    p.sync();
                }
                latencyMs.update((System.nanoTime() - start) / 1_000_000);
                sent.inc(batch.size());
                backoffMs = 0;
                lastBatchFailed = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failed.inc(batch.size());
                lastBatchFailed = true;
                long now = System.currentTimeMillis();
                if (now - lastFailureLogMs > LOG_EVERY_MS) {
                    lastFailureLogMs = now;
                    LOG.warn(
                            "Redis write of {} live-view records failed ({} so far): {}",
                            batch.size(),
                            failed.getCount(),
                            e.toString());
                }
                // Back off so a dead Redis costs little; the queue absorbs or drops meanwhile.
                backoffMs = Math.min(5_000, backoffMs == 0 ? 200 : backoffMs * 2);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                pending.addAndGet(-batch.size());
                batch.clear();
            }
        }
    }

    /** The live view does not hold checkpoints back (see {@link RedisSink}). */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        if (endOfInput) {
            // Bounded input (tests, backfills): let what is queued be written, unless Redis is
            // failing anyway; at most ten seconds.
            long deadline = System.currentTimeMillis() + 10_000;
            while (pending.get() > 0 && !lastBatchFailed && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(2000);
        thread.interrupt();
        redis.close();
    }
}
