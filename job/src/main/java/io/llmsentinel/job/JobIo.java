package io.llmsentinel.job;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.job.config.SentinelConfig;
import io.llmsentinel.job.config.SentinelOptions;
import io.llmsentinel.job.io.RawMessageDeserializer;
import io.llmsentinel.sinks.influx.InfluxPoints;
import io.llmsentinel.sinks.influx.InfluxSettings;
import io.llmsentinel.sinks.influx.InfluxSink;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import io.llmsentinel.sinks.kafka.KafkaSinks;
import io.llmsentinel.sinks.rabbitmq.RabbitMqSink;
import io.llmsentinel.sinks.redis.RedisSettings;
import io.llmsentinel.sinks.redis.RedisSink;
import io.llmsentinel.sinks.redis.RedisWrites;
import io.llmsentinel.sinks.webhook.WebhookSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.functions.sink.PrintSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's sources and sinks, separate from the topology so tests can pass bounded or collecting
 * ones. {@link #fromConfig} gives the real Kafka sources and configured outputs.
 */
public record JobIo(
        Source<RawMessage, ?, ?> otlpTraces,
        Source<RawMessage, ?, ?> nativeEvents,
        List<Output<Anomaly>> anomalyOutputs,
        List<Output<String>> alertLines,
        List<Output<Anomaly>> alertOutputs,
        Output<DeadLetter> deadLetters,
        List<Output<LlmRequest>> requestOutputs,
        List<Output<BaselineSnapshot>> baselineOutputs) {

    /** A sink with the uid and name its operator gets. */
    public record Output<T>(String uid, String name, Sink<T> sink) {}

    public static JobIo fromConfig(SentinelConfig config) {
        return fromConfig(config, false);
    }

    /** With {@code bounded}, the sources stop at the offsets that were latest at start (tests). */
    public static JobIo fromConfig(SentinelConfig config, boolean bounded) {
        String brokers = config.get(SentinelOptions.KAFKA_BOOTSTRAP_SERVERS);
        Properties client = config.kafkaClientProperties();
        Source<RawMessage, ?, ?> otlp =
                config.get(SentinelOptions.OTLP_TRACES_ENABLED)
                        ? kafkaSource(
                                config, config.get(SentinelOptions.OTLP_TRACES_TOPIC), bounded)
                        : null;
        Source<RawMessage, ?, ?> nativeEvents =
                config.get(SentinelOptions.NATIVE_EVENTS_ENABLED)
                        ? kafkaSource(
                                config, config.get(SentinelOptions.NATIVE_EVENTS_TOPIC), bounded)
                        : null;
        List<Output<Anomaly>> anomalyOutputs = new ArrayList<>();
        if (config.get(SentinelOptions.KAFKA_ANOMALIES_ENABLED)) {
            anomalyOutputs.add(
                    new Output<>(
                            "sink-kafka-anomalies",
                            "Anomalies to Kafka ("
                                    + config.get(SentinelOptions.KAFKA_ANOMALIES_TOPIC)
                                    + ")",
                            KafkaSinks.anomalies(
                                    brokers,
                                    client,
                                    config.get(SentinelOptions.KAFKA_ANOMALIES_TOPIC),
                                    config.get(SentinelOptions.KAFKA_EXACTLY_ONCE),
                                    config.get(SentinelOptions.KAFKA_TRANSACTIONAL_ID_PREFIX))));
        }
        List<Output<String>> lines = new ArrayList<>();
        if (config.get(SentinelOptions.CONSOLE_ENABLED)) {
            lines.add(
                    new Output<>(
                            "sink-console", "Alerts to stdout (JSON lines)", new PrintSink<>()));
        }
        Output<DeadLetter> dlq =
                new Output<>(
                        "sink-dead-letters",
                        "Dead letters to Kafka ("
                                + config.get(SentinelOptions.DEAD_LETTER_TOPIC)
                                + ")",
                        KafkaSinks.deadLetters(
                                brokers, client, config.get(SentinelOptions.DEAD_LETTER_TOPIC)));
        // Outputs that give up on a record put it here, with the reason.
        DeadLetterPublisher.Factory deadLetterPublisher =
                DeadLetterPublisher.kafka(
                        brokers, client, config.get(SentinelOptions.DEAD_LETTER_TOPIC));
        List<Output<Anomaly>> alerts = new ArrayList<>();
        if (!config.webhooks().isEmpty()) {
            alerts.add(
                    new Output<>(
                            "sink-webhooks",
                            "Alerts to webhooks (" + config.webhooks().size() + " endpoint(s))",
                            new WebhookSink(config.webhooks(), deadLetterPublisher)));
        }
        if (config.get(SentinelOptions.RABBITMQ_ENABLED)) {
            alerts.add(
                    new Output<>(
                            "sink-rabbitmq",
                            "Alerts to RabbitMQ (exchange "
                                    + config.get(SentinelOptions.RABBITMQ_EXCHANGE)
                                    + ")",
                            new RabbitMqSink(config.rabbitMqConnection(), config.rabbitMq())));
        }
        List<Output<LlmRequest>> requestOutputs = new ArrayList<>();
        if (config.get(SentinelOptions.INFLUXDB_ENABLED)) {
            InfluxSettings influx = config.influxDb();
            anomalyOutputs.add(
                    new Output<>(
                            "sink-influxdb-anomalies",
                            "Anomalies to InfluxDB ("
                                    + config.get(SentinelOptions.INFLUXDB_ANOMALIES_MEASUREMENT)
                                    + ")",
                            new InfluxSink<>(
                                    influx,
                                    InfluxPoints.anomalies(
                                            config.get(
                                                    SentinelOptions
                                                            .INFLUXDB_ANOMALIES_MEASUREMENT)),
                                    "anomalies",
                                    deadLetterPublisher)));
            String requests = config.get(SentinelOptions.INFLUXDB_REQUESTS_MEASUREMENT);
            if (!requests.isBlank()) {
                requestOutputs.add(
                        new Output<>(
                                "sink-influxdb-requests",
                                "Requests to InfluxDB (" + requests + ")",
                                new InfluxSink<>(
                                        influx,
                                        InfluxPoints.requests(requests),
                                        "requests",
                                        deadLetterPublisher)));
            }
        }
        List<Output<BaselineSnapshot>> baselineOutputs = new ArrayList<>();
        if (config.get(SentinelOptions.REDIS_ENABLED)) {
            RedisSettings redis = config.redis();
            anomalyOutputs.add(
                    new Output<>(
                            "sink-redis-anomalies",
                            "Recent anomalies to Redis",
                            new RedisSink<>(redis, RedisWrites.recentAnomalies(), "anomalies")));
            baselineOutputs.add(
                    new Output<>(
                            "sink-redis-baselines",
                            "Live baselines to Redis",
                            new RedisSink<>(redis, RedisWrites.baselines(), "baselines")));
        }
        return new JobIo(
                otlp,
                nativeEvents,
                anomalyOutputs,
                lines,
                alerts,
                dlq,
                requestOutputs,
                baselineOutputs);
    }

    private static KafkaSource<RawMessage> kafkaSource(
            SentinelConfig config, String topic, boolean bounded) {
        OffsetsInitializer start =
                switch (config.get(SentinelOptions.KAFKA_STARTING_OFFSETS)) {
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                    case TIMESTAMP ->
                            OffsetsInitializer.timestamp(
                                    config.get(SentinelOptions.KAFKA_STARTING_TIMESTAMP_MS));
                    case COMMITTED ->
                            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        var builder =
                KafkaSource.<RawMessage>builder()
                        .setBootstrapServers(config.get(SentinelOptions.KAFKA_BOOTSTRAP_SERVERS))
                        .setProperties(config.kafkaClientProperties())
                        .setGroupId(config.get(SentinelOptions.KAFKA_GROUP_ID))
                        .setTopics(topic)
                        .setStartingOffsets(start)
                        .setDeserializer(new RawMessageDeserializer())
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .setProperty("partition.discovery.interval.ms", "60000");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }
}
