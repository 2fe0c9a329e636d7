package io.llmsentinel.sinks.influx;

import com.influxdb.v3.client.InfluxDBApiHttpException;
import com.influxdb.v3.client.InfluxDBClient;
import com.influxdb.v3.client.Point;
import com.influxdb.v3.client.config.ClientConfig;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writer of {@link InfluxSink}; one per parallel subtask, one background writing thread. */
final class InfluxWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxWriter.class);
    private static final List<Point> STOP = List.of();

    private final InfluxSettings settings;
    private final InfluxPoints.Mapper<T> mapper;
    private final ProcessingTimeService time;
    private final Consumer<List<Point>> client;
    private final AutoCloseable closeClient;
    private final DeadLetterPublisher deadLetters;
    private final String name;

    private List<Point> buffer = new ArrayList<>();
    private long bufferStartedMs;
    private final BlockingQueue<List<Point>> queue;
    private final Thread thread;
    private final Object lock = new Object();
    private int unfinished; // batches queued or being written
    private volatile IOException failure;

    private final Counter sent;
    private final Counter batches;
    private final Counter retried;
    private final Counter failed;
    private final Counter deadLettered;
    private final Histogram latencyMs;

    /** A client that writes one batch, and how to close it. */
    record Client(Consumer<List<Point>> write, AutoCloseable close) {}

    static Client clientFor(InfluxSettings s) {
        ClientConfig config =
                new ClientConfig.Builder()
                        .host(s.host())
                        .token(s.token())
                        .database(s.database())
                        .writeTimeout(Duration.ofSeconds(10))
                        .build();
        InfluxDBClient c = InfluxDBClient.getInstance(config);
        return new Client(c::writePoints, c);
    }

    InfluxWriter(
            InfluxSettings settings,
            InfluxPoints.Mapper<T> mapper,
            ProcessingTimeService time,
            MetricGroup metrics,
            Client client,
            DeadLetterPublisher deadLetters,
            String name) {
        this.settings = settings;
        this.deadLetters = deadLetters;
        this.name = name;
        this.mapper = mapper;
        this.time = time;
        this.client = client.write();
        this.closeClient = client.close();
        this.queue = new ArrayBlockingQueue<>(settings.maxQueuedBatches() + 1);
        sent = metrics.counter("sent");
        batches = metrics.counter("batches");
        retried = metrics.counter("retried");
        failed = metrics.counter("failed");
        deadLettered = metrics.counter("deadLettered");
        latencyMs = metrics.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        metrics.gauge("queuedBatches", queue::size);
        thread = new Thread(this::run, "influxdb-writer");
        thread.setDaemon(true);
        thread.start();
        if (time != null) {
            scheduleFlushCheck();
        }
    }

    private void scheduleFlushCheck() {
        time.registerTimer(
                time.getCurrentProcessingTime() + settings.flushIntervalMs(),
                ts -> {
                    if (!buffer.isEmpty()
                            && System.currentTimeMillis() - bufferStartedMs
                                    >= settings.flushIntervalMs()) {
                        enqueue();
                    }
                    scheduleFlushCheck();
                });
    }

    @Override
    public void write(T value, Context context) throws IOException, InterruptedException {
        rethrow();
        if (buffer.isEmpty()) {
            bufferStartedMs = System.currentTimeMillis();
        }
        buffer.add(mapper.toPoint(value));
        if (buffer.size() >= settings.batchSize()) {
            enqueue();
        }
    }

    /** Hands the buffer to the writing thread; waits while the queue is full (the bound). */
    private void enqueue() throws InterruptedException {
        if (buffer.isEmpty()) {
            return;
        }
        List<Point> batch = buffer;
        buffer = new ArrayList<>(settings.batchSize());
        synchronized (lock) {
            unfinished++;
        }
        queue.put(batch);
    }

    private void run() {
        try {
            while (true) {
                List<Point> batch = queue.take();
                if (batch == STOP) {
                    return;
                }
                try {
                    writeWithRetries(batch);
                } finally {
                    synchronized (lock) {
                        unfinished--;
                        lock.notifyAll();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeWithRetries(List<Point> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                client.accept(batch);
                latencyMs.update((System.nanoTime() - start) / 1_000_000);
                sent.inc(batch.size());
                batches.inc();
                return;
            } catch (RuntimeException e) {
                int status = e instanceof InfluxDBApiHttpException h ? h.statusCode() : 0;
                boolean retryable =
                        status == 0 || status == 408 || status == 429 || status / 100 == 5;
                if (!retryable) {
                    failed.inc(batch.size());
                    LOG.error(
                            "InfluxDB rejected a batch of {} points (HTTP {}: {}); not retried,"
                                    + " sent to the dead-letter topic. First point: {}",
                            batch.size(),
                            status,
                            e.getMessage(),
                            batch.get(0).toLineProtocol());
                    deadLetter(batch, "HTTP " + status + ": " + e.getMessage());
                    return;
                }
                if (attempt >= settings.maxAttempts()) {
                    failed.inc(batch.size());
                    failure =
                            new IOException(
                                    "InfluxDB write failed "
                                            + attempt
                                            + " times (last: "
                                            + e.getMessage()
                                            + "); failing so that the job restarts from its last"
                                            + " checkpoint and writes these points again",
                                    e);
                    LOG.error(failure.getMessage());
                    return;
                }
                retried.inc();
                long backoff = settings.initialBackoffMs() << Math.min(10, attempt - 1);
                long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                LOG.warn(
                        "InfluxDB write of {} points failed ({}); retry {} in {} ms",
                        batch.size(),
                        e.getMessage(),
                        attempt,
                        delay);
                TimeUnit.MILLISECONDS.sleep(delay);
            }
        }
    }

    /** A rejected batch on the dead-letter topic: the reason and the exact line protocol sent. */
    private void deadLetter(List<Point> batch, String reason) {
        StringBuilder lines = new StringBuilder();
        for (Point p : batch) {
            lines.append(p.toLineProtocol()).append('\n');
        }
        DeadLetter d = new DeadLetter();
        d.reason = "influxdb_rejected";
        d.detail = "InfluxDB " + name + ": " + batch.size() + " point(s) rejected, " + reason;
        d.sourceTopic = "influxdb:" + name;
        d.payload = lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        d.failedAtMs = System.currentTimeMillis();
        d.sourceTimestampMs = d.failedAtMs;
        try {
            deadLetters.publish(d);
            deadLettered.inc(batch.size());
        } catch (Exception e) {
            LOG.error(
                    "Could not dead-letter {} rejected InfluxDB points: {}",
                    batch.size(),
                    e.toString());
        }
    }

    private void rethrow() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Before every checkpoint: returns when every point written so far is stored. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        enqueue();
        synchronized (lock) {
            while (unfinished > 0 && failure == null) {
                lock.wait(200);
            }
        }
        rethrow();
    }

    @Override
    public void close() throws Exception {
        queue.offer(STOP);
        thread.join(5000);
        thread.interrupt();
        closeClient.close();
        deadLetters.close();
    }
}
