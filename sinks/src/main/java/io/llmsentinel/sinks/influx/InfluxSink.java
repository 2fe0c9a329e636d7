package io.llmsentinel.sinks.influx;

import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes records to InfluxDB 3 through the official client ({@code influxdb3-java}): batched by
 * size and by time, written by a background thread so a slow server does not stall the pipeline
 * beyond a bounded queue, retried with exponential backoff and jitter on timeouts, connection
 * errors, 408, 429 and 5xx. {@link SinkWriter#flush} runs before every checkpoint and returns only
 * when every point written so far is stored, so a checkpoint never completes with points lost;
 * after a failure the job replays from the checkpoint and rewrites the same points (see {@link
 * InfluxPoints}: a rewrite is an overwrite). A batch the server rejects as malformed (another 4xx)
 * is not retried: it is counted, logged, and goes to the dead-letter topic with the server's reason
 * and its line protocol.
 *
 * @param <T> what is stored: anomalies, or requests
 */
public class InfluxSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final InfluxSettings settings;
    private final InfluxPoints.Mapper<T> mapper;
    private final String metricsName;
    private final DeadLetterPublisher.Factory deadLetters;

    /**
     * @param metricsName the metric group under {@code sentinel.influxdb} ({@code anomalies},
     *     {@code requests}), so two sinks' counters stay apart
     * @param deadLetters where a batch InfluxDB rejects as malformed goes, with the reason
     */
    public InfluxSink(
            InfluxSettings settings,
            InfluxPoints.Mapper<T> mapper,
            String metricsName,
            DeadLetterPublisher.Factory deadLetters) {
        this.settings = settings;
        this.mapper = mapper;
        this.metricsName = metricsName;
        this.deadLetters = deadLetters;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<T> createWriter(InitContext context) {
        return new InfluxWriter<>(
                settings,
                mapper,
                context.getProcessingTimeService(),
                context.metricGroup()
                        .addGroup("sentinel")
                        .addGroup("influxdb")
                        .addGroup(metricsName),
                InfluxWriter.clientFor(settings),
                deadLetters.open(),
                metricsName);
    }
}
