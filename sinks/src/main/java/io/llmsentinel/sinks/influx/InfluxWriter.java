package io.llmsentinel.sinks.influx;

import com.influxdb.v3.client.InfluxDBApiHttpException;
import com.influxdb.v3.client.InfluxDBClient;
import com.influxdb.v3.client.config.ClientConfig;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.delivery.Codecs;
import io.llmsentinel.sinks.delivery.Outbox;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.OutboxWriter;
import io.llmsentinel.sinks.delivery.Outcome;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.metrics.MetricGroup;

/**
 * The writer of {@link InfluxSink}: each record becomes one line of line protocol in the
 * checkpointed backlog; batches go to the server in the background.
 */
final class InfluxWriter<T> extends OutboxWriter<T, String> {

    private final InfluxPoints.Mapper<T> mapper;
    private final Consumer<List<String>> client;
    private final AutoCloseable closeClient;
    private final DeadLetterPublisher deadLetters;
    private final String name;
    private final Outbox<String> outbox;

    /** A client that writes one batch of line protocol, and how to close it. */
    record Client(Consumer<List<String>> write, AutoCloseable close) {}

    static Client clientFor(InfluxSettings s) {
        ClientConfig config =
                new ClientConfig.Builder()
                        .host(s.host())
                        .token(s.token())
                        .database(s.database())
                        .writeTimeout(Duration.ofSeconds(10))
                        .build();
        InfluxDBClient c = InfluxDBClient.getInstance(config);
        return new Client(c::writeRecords, c);
    }

    /** Takes over {@code client} and {@code deadLetters}: closes them when it closes or fails. */
    InfluxWriter(
            OutboxSettings settings,
            InfluxPoints.Mapper<T> mapper,
            MetricGroup metrics,
            Client client,
            DeadLetterPublisher deadLetters,
            String name,
            Collection<OutboxState> restored)
            throws IOException {
        super(Codecs.text());
        this.closeClient = client.close();
        this.deadLetters = deadLetters;
        this.mapper = mapper;
        this.client = client.write();
        this.name = name;
        try {
            this.outbox = open(settings, this::deliver, this::deadLetter, metrics, restored);
        } catch (Throwable t) {
            closeAfterFailedStart(t);
            throw t;
        }
    }

    @Override
    public void write(T value, Context context) throws InterruptedException {
        outbox.add(mapper.toPoint(value).toLineProtocol());
    }

    /** Retries timeouts, connection errors, 408, 429 and 5xx; another 4xx rejects the batch. */
    private List<Outcome> deliver(List<String> lines) {
        try {
            client.accept(lines);
            return Collections.nCopies(lines.size(), Outcome.delivered());
        } catch (RuntimeException e) {
            int status = e instanceof InfluxDBApiHttpException h ? h.statusCode() : 0;
            boolean retryable = status == 0 || status == 408 || status == 429 || status / 100 == 5;
            String reason = (status == 0 ? "" : "HTTP " + status + ": ") + e.getMessage();
            return Collections.nCopies(
                    lines.size(), retryable ? Outcome.retry(reason) : Outcome.reject(reason));
        }
    }

    /**
     * Lines on the dead-letter topic: refused or undeliverable ones as one dead letter per batch,
     * with the server's reason and the exact line protocol sent; shed ones (the backlog was full)
     * one per point, so each can be replayed on its own.
     */
    private void deadLetter(List<String> lines, Outbox.Cause cause, String reason)
            throws Exception {
        long now = System.currentTimeMillis();
        List<DeadLetter> letters = new ArrayList<>();
        if (cause == Outbox.Cause.BACKLOG_FULL) {
            for (String line : lines) {
                letters.add(
                        letter(
                                cause,
                                "InfluxDB " + name + ": point not stored, " + reason,
                                1,
                                line,
                                now));
            }
        } else {
            letters.add(
                    letter(
                            cause,
                            "InfluxDB "
                                    + name
                                    + ": "
                                    + lines.size()
                                    + " point(s) not stored, "
                                    + reason,
                            lines.size(),
                            String.join("\n", lines),
                            now));
        }
        deadLetters.publishAll(letters);
    }

    private DeadLetter letter(
            Outbox.Cause cause, String detail, int points, String payload, long now) {
        DeadLetter d = new DeadLetter();
        d.reason = cause.reason("influxdb_rejected");
        d.detail = detail;
        d.reasons = d.reason + "=" + points;
        d.invalidCount = points;
        d.sourceTopic = "influxdb:" + name;
        d.payload = payload.getBytes(StandardCharsets.UTF_8);
        d.failedAtMs = now;
        d.sourceTimestampMs = now;
        return d;
    }

    @Override
    protected void closeResources() throws Exception {
        try {
            closeClient.close();
        } finally {
            deadLetters.close();
        }
    }
}
