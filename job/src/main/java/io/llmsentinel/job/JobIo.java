package io.llmsentinel.job;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.config.AlertOptions;
import io.llmsentinel.functions.config.ConsoleOptions;
import io.llmsentinel.functions.config.ControlOptions;
import io.llmsentinel.functions.config.DeadLetterOptions;
import io.llmsentinel.functions.config.DeliveryOptions;
import io.llmsentinel.functions.config.DeliveryOptions.WhenFull;
import io.llmsentinel.functions.config.EventTimeOptions;
import io.llmsentinel.functions.config.InfluxDbOptions;
import io.llmsentinel.functions.config.InputOptions;
import io.llmsentinel.functions.config.KafkaOptions;
import io.llmsentinel.functions.config.KafkaSinkOptions;
import io.llmsentinel.functions.config.KeyOptions;
import io.llmsentinel.functions.config.RabbitMqOptions;
import io.llmsentinel.functions.config.RedisOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.model.ReadMessage;
import io.llmsentinel.functions.read.DeadLetters;
import io.llmsentinel.functions.read.MessageReader;
import io.llmsentinel.functions.read.NativeEventReader;
import io.llmsentinel.functions.read.OtlpMetricsReader;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.TelemetryReader;
import io.llmsentinel.job.io.TelemetryDeserializer;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.influx.InfluxPoints;
import io.llmsentinel.sinks.influx.InfluxSettings;
import io.llmsentinel.sinks.influx.InfluxSink;
import io.llmsentinel.sinks.kafka.DeadLetterPublisher;
import io.llmsentinel.sinks.kafka.KafkaSinks;
import io.llmsentinel.sinks.rabbitmq.RabbitMqSettings;
import io.llmsentinel.sinks.rabbitmq.RabbitMqSink;
import io.llmsentinel.sinks.redis.RedisSettings;
import io.llmsentinel.sinks.redis.RedisSink;
import io.llmsentinel.sinks.redis.RedisWrites;
import io.llmsentinel.sinks.webhook.WebhookEndpoint;
import io.llmsentinel.sinks.webhook.WebhookEndpoints;
import io.llmsentinel.sinks.webhook.WebhookSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.functions.sink.PrintSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's sources and sinks, separate from the topology so tests can pass bounded or collecting
 * ones. {@link #fromConfig} gives the real Kafka sources and configured outputs.
 */
public record JobIo(
        Source<ReadMessage, ?, ?> otlpTraces,
        Source<ReadMessage, ?, ?> nativeEvents,
        Source<ReadMessage, ?, ?> otlpMetrics,
        Source<RawMessage, ?, ?> control,
        List<Output<Anomaly>> anomalyOutputs,
        List<Output<String>> alertLines,
        List<Output<AlertEvent>> alertOutputs,
        List<Output<IncidentEvent>> incidentOutputs,
        Output<DeadLetter> deadLetters,
        List<Output<LlmRequest>> requestOutputs,
        List<Output<BaselineSnapshot>> baselineOutputs,
        List<Output<String>> auditOutputs) {

    /** A sink with the uid and name its operator gets. */
    public record Output<T>(String uid, String name, Sink<T> sink) {}

    public static JobIo fromConfig(SentinelConfig config) {
        return fromConfig(config, false);
    }

    /** With {@code bounded}, the sources stop at the offsets that were latest at start (tests). */
    public static JobIo fromConfig(SentinelConfig config, boolean bounded) {
        String brokers = config.get(KafkaOptions.BOOTSTRAP_SERVERS);
        Properties client = config.kafkaClientProperties();
        Source<ReadMessage, ?, ?> otlp =
                config.get(InputOptions.OTLP_TRACES_ENABLED)
                        ? kafkaSource(
                                config,
                                config.get(InputOptions.OTLP_TRACES_TOPIC),
                                bounded,
                                new OtlpTraceReader(
                                        config.priceTable(),
                                        config.get(InputOptions.MAX_MESSAGE_BYTES),
                                        config.get(InputOptions.MAX_TEXT_CHARS),
                                        config.get(EventTimeOptions.MAX_FUTURE).toMillis(),
                                        System::currentTimeMillis,
                                        KeyOptions.modelNaming(config)))
                        : null;
        Source<ReadMessage, ?, ?> nativeEvents =
                config.get(InputOptions.NATIVE_EVENTS_ENABLED)
                        ? kafkaSource(
                                config,
                                config.get(InputOptions.NATIVE_EVENTS_TOPIC),
                                bounded,
                                new NativeEventReader(
                                        config.priceTable(),
                                        config.get(InputOptions.MAX_MESSAGE_BYTES),
                                        config.get(InputOptions.MAX_TEXT_CHARS),
                                        config.get(EventTimeOptions.MAX_FUTURE).toMillis(),
                                        System::currentTimeMillis,
                                        KeyOptions.modelNaming(config)))
                        : null;
        Source<ReadMessage, ?, ?> otlpMetrics =
                config.get(InputOptions.OTLP_METRICS_ENABLED)
                        ? kafkaSource(
                                config,
                                config.get(InputOptions.OTLP_METRICS_TOPIC),
                                bounded,
                                new OtlpMetricsReader(
                                        config.get(InputOptions.MAX_MESSAGE_BYTES),
                                        config.get(EventTimeOptions.MAX_FUTURE).toMillis(),
                                        System::currentTimeMillis,
                                        KeyOptions.modelNaming(config)))
                        : null;
        List<Output<Anomaly>> anomalyOutputs = new ArrayList<>();
        if (config.get(KafkaSinkOptions.ENABLED)) {
            anomalyOutputs.add(
                    new Output<>(
                            "sink-kafka-anomalies",
                            "Anomalies to Kafka (" + config.get(KafkaSinkOptions.TOPIC) + ")",
                            KafkaSinks.anomalies(
                                    brokers,
                                    client,
                                    config.get(KafkaSinkOptions.TOPIC),
                                    config.get(KafkaSinkOptions.EXACTLY_ONCE),
                                    config.get(KafkaSinkOptions.TRANSACTIONAL_ID_PREFIX))));
        }
        List<Output<String>> lines = new ArrayList<>();
        if (config.get(ConsoleOptions.ENABLED)) {
            lines.add(
                    new Output<>(
                            "sink-console",
                            "Alert changes to stdout (JSON lines)",
                            new PrintSink<>()));
        }
        Output<DeadLetter> dlq =
                new Output<>(
                        "sink-dead-letters",
                        "Dead letters to Kafka (" + config.get(DeadLetterOptions.TOPIC) + ")",
                        KafkaSinks.deadLetters(
                                brokers,
                                client,
                                config.get(DeadLetterOptions.TOPIC),
                                DeadLetterOptions.producerMaxRequestBytes(
                                        config.get(DeadLetterOptions.MAX_PAYLOAD_BYTES))));
        // Outputs that give up on a record put it here, with the reason.
        DeadLetterPublisher.Factory deadLetterPublisher =
                DeadLetterPublisher.kafka(
                        brokers,
                        client,
                        config.get(DeadLetterOptions.TOPIC),
                        config.get(DeadLetterOptions.MAX_PAYLOAD_BYTES),
                        DeadLetterOptions.producerMaxRequestBytes(
                                config.get(DeadLetterOptions.MAX_PAYLOAD_BYTES)));
        // A full backlog of anomalies or alerts sheds to the dead-letter topic by default.
        WhenFull whenFull = config.get(DeliveryOptions.WHEN_FULL);
        List<Output<AlertEvent>> alerts = new ArrayList<>();
        if (config.get(KafkaSinkOptions.ENABLED)) {
            alerts.add(
                    new Output<>(
                            "sink-kafka-alerts",
                            "Alert changes to Kafka (" + config.get(KafkaSinkOptions.TOPIC) + ")",
                            KafkaSinks.alerts(
                                    brokers,
                                    client,
                                    config.get(KafkaSinkOptions.TOPIC),
                                    config.get(KafkaSinkOptions.EXACTLY_ONCE),
                                    config.get(KafkaSinkOptions.TRANSACTIONAL_ID_PREFIX)
                                            + "-alerts")));
        }
        // Webhooks and RabbitMQ get incidents, alerts or both (alerts.deliver). Their backlogs
        // hold rendered messages, not events, so the uids sink-webhooks and sink-rabbitmq stay
        // with the endpoints whatever they are sent: a savepoint's backlog is delivered after a
        // change of alerts.deliver. Per-alert outputs beside incident ones get uids of their own.
        AlertOptions.Deliver deliver = config.get(AlertOptions.DELIVER);
        List<Output<IncidentEvent>> incidents = new ArrayList<>();
        List<WebhookEndpoint> webhooks = WebhookEndpoints.from(config);
        if (!webhooks.isEmpty()) {
            OutboxSettings backlog = OutboxSettings.from(config, "webhooks", 16, 0, whenFull);
            String endpoints = " to webhooks (" + webhooks.size() + " endpoint(s))";
            if (deliver.incidents()) {
                incidents.add(
                        new Output<>(
                                "sink-webhooks",
                                "Incidents" + endpoints,
                                WebhookSink.incidents(webhooks, backlog, deadLetterPublisher)));
            }
            if (deliver.alerts()) {
                alerts.add(
                        new Output<>(
                                deliver.incidents() ? "sink-webhooks-alerts" : "sink-webhooks",
                                "Alerts" + endpoints,
                                WebhookSink.alerts(webhooks, backlog, deadLetterPublisher)));
            }
        }
        if (config.get(RabbitMqOptions.ENABLED)) {
            OutboxSettings backlog =
                    OutboxSettings.from(
                            config,
                            "rabbitmq",
                            config.get(RabbitMqOptions.MAX_OUTSTANDING),
                            0,
                            whenFull);
            String exchange =
                    " to RabbitMQ (exchange " + config.get(RabbitMqOptions.EXCHANGE) + ")";
            if (deliver.incidents()) {
                incidents.add(
                        new Output<>(
                                "sink-rabbitmq",
                                "Incidents" + exchange,
                                RabbitMqSink.incidents(
                                        RabbitMqSettings.connection(config),
                                        RabbitMqSettings.from(config),
                                        backlog,
                                        deadLetterPublisher)));
            }
            if (deliver.alerts()) {
                alerts.add(
                        new Output<>(
                                deliver.incidents() ? "sink-rabbitmq-alerts" : "sink-rabbitmq",
                                "Alerts" + exchange,
                                RabbitMqSink.alerts(
                                        RabbitMqSettings.connection(config),
                                        RabbitMqSettings.from(config),
                                        backlog,
                                        deadLetterPublisher)));
            }
        }
        List<Output<LlmRequest>> requestOutputs = new ArrayList<>();
        if (config.get(InfluxDbOptions.ENABLED)) {
            InfluxSettings influx = InfluxSettings.from(config);
            anomalyOutputs.add(
                    new Output<>(
                            "sink-influxdb-anomalies",
                            "Anomalies to InfluxDB ("
                                    + config.get(InfluxDbOptions.ANOMALIES_MEASUREMENT)
                                    + ")",
                            new InfluxSink<>(
                                    influx,
                                    influxBacklog(config, influx, "anomalies", whenFull),
                                    InfluxPoints.anomalies(
                                            config.get(InfluxDbOptions.ANOMALIES_MEASUREMENT)),
                                    deadLetterPublisher)));
            String alertMeasurement = config.get(InfluxDbOptions.ALERTS_MEASUREMENT);
            if (!alertMeasurement.isBlank()) {
                alerts.add(
                        new Output<>(
                                "sink-influxdb-alerts",
                                "Alert changes to InfluxDB (" + alertMeasurement + ")",
                                new InfluxSink<>(
                                        influx,
                                        influxBacklog(config, influx, "alerts", whenFull),
                                        InfluxPoints.alerts(alertMeasurement),
                                        deadLetterPublisher)));
            }
            String requests = config.get(InfluxDbOptions.REQUESTS_MEASUREMENT);
            if (!requests.isBlank()) {
                requestOutputs.add(
                        new Output<>(
                                "sink-influxdb-requests",
                                "Requests to InfluxDB (" + requests + ")",
                                new InfluxSink<>(
                                        influx,
                                        influxBacklog(
                                                config, influx, "requests", WhenFull.DROP_OLDEST),
                                        InfluxPoints.requests(requests),
                                        deadLetterPublisher)));
            }
        }
        List<Output<BaselineSnapshot>> baselineOutputs = new ArrayList<>();
        if (config.get(RedisOptions.ENABLED)) {
            RedisSettings redis = RedisSettings.from(config);
            anomalyOutputs.add(
                    new Output<>(
                            "sink-redis-anomalies",
                            "Recent anomalies to Redis",
                            new RedisSink<>(
                                    redis,
                                    redisBacklog(config, redis, "anomalies"),
                                    RedisWrites.recentAnomalies())));
            baselineOutputs.add(
                    new Output<>(
                            "sink-redis-baselines",
                            "Live baselines to Redis",
                            new RedisSink<>(
                                    redis,
                                    redisBacklog(config, redis, "baselines"),
                                    RedisWrites.baselines())));
        }
        Source<RawMessage, ?, ?> control = null;
        List<Output<String>> audit = new ArrayList<>();
        if (config.get(ControlOptions.ENABLED)) {
            control = controlSource(config, bounded);
            if (config.get(KafkaSinkOptions.ENABLED)) {
                audit.add(
                        new Output<>(
                                "sink-kafka-audit",
                                "Audit of control commands to Kafka ("
                                        + config.get(KafkaSinkOptions.TOPIC)
                                        + ")",
                                KafkaSinks.audit(
                                        brokers,
                                        client,
                                        config.get(KafkaSinkOptions.TOPIC),
                                        config.get(KafkaSinkOptions.EXACTLY_ONCE),
                                        config.get(KafkaSinkOptions.TRANSACTIONAL_ID_PREFIX)
                                                + "-audit")));
            }
        }
        return new JobIo(
                otlp,
                nativeEvents,
                otlpMetrics,
                control,
                anomalyOutputs,
                lines,
                alerts,
                incidents,
                dlq,
                requestOutputs,
                baselineOutputs,
                audit);
    }

    /**
     * The control topic, always from its beginning on a first start (what is in force is rebuilt
     * from every command); after a restore, from the checkpointed offsets.
     */
    private static KafkaSource<RawMessage> controlSource(SentinelConfig config, boolean bounded) {
        var builder =
                KafkaSource.<RawMessage>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP_SERVERS))
                        .setProperties(config.kafkaClientProperties())
                        .setGroupId(config.get(KafkaOptions.GROUP_ID) + "-control")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawBytes())
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .setProperty("partition.discovery.interval.ms", "60000");
        subscribe(builder, config.get(ControlOptions.TOPIC), bounded);
        return builder.build();
    }

    /**
     * Running, a topic is subscribed by its exact name as a pattern: a topic that does not exist
     * (yet) gives no partitions instead of failing the job, and is read from its beginning once
     * partition discovery finds it. With {@code setTopics}, a missing optional input (no OTLP
     * metrics, no control topic) fails the source coordinator and restarts the job forever. A
     * bounded run (tests) names its topics exactly and stops at their latest offsets: with a
     * pattern that matches nothing, the Kafka enumerator would never signal the end of its input.
     */
    static void subscribe(
            org.apache.flink.connector.kafka.source.KafkaSourceBuilder<?> builder,
            String topic,
            boolean bounded) {
        if (bounded) {
            builder.setTopics(topic).setBounded(OffsetsInitializer.latest());
        } else {
            builder.setTopicPattern(
                    java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(topic)));
        }
    }

    /** A record as it is, with where it came from. */
    static final class RawBytes implements KafkaRecordDeserializationSchema<RawMessage> {
        @Override
        public void deserialize(
                org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r,
                org.apache.flink.util.Collector<RawMessage> out) {
            out.collect(
                    new RawMessage(r.topic(), r.partition(), r.offset(), r.timestamp(), r.value()));
        }

        @Override
        public org.apache.flink.api.common.typeinfo.TypeInformation<RawMessage> getProducedType() {
            return org.apache.flink.api.common.typeinfo.TypeInformation.of(RawMessage.class);
        }
    }

    private static OutboxSettings influxBacklog(
            SentinelConfig config, InfluxSettings influx, String name, WhenFull whenFull) {
        return OutboxSettings.from(
                config, name, influx.batchSize(), influx.flushIntervalMs(), whenFull);
    }

    private static OutboxSettings redisBacklog(
            SentinelConfig config, RedisSettings redis, String name) {
        OutboxSettings s = OutboxSettings.from(config, name, 500, 0, WhenFull.DROP_OLDEST);
        return new OutboxSettings(
                name,
                Math.min(s.maxItems(), redis.queueCapacity()),
                s.batchSize(),
                0,
                WhenFull.DROP_OLDEST,
                s.initialBackoffMs(),
                s.maxBackoffMs(),
                s.giveUpAfterMs(),
                s.endOfInputWaitMs());
    }

    private static KafkaSource<ReadMessage> kafkaSource(
            SentinelConfig config, String topic, boolean bounded, TelemetryReader reader) {
        return kafkaSource(
                config,
                topic,
                bounded,
                new TelemetryDeserializer(
                        new MessageReader(
                                reader,
                                new DeadLetters(config.get(DeadLetterOptions.MAX_PAYLOAD_BYTES)))));
    }

    /**
     * The job's Kafka source settings (offsets, group, client properties, commits on checkpoints,
     * partition discovery) with any deserializer: also the floor the end-to-end benchmark measures
     * (devtools/bench's BareReadJob).
     */
    public static <T> KafkaSource<T> kafkaSource(
            SentinelConfig config,
            String topic,
            boolean bounded,
            KafkaRecordDeserializationSchema<T> deserializer) {
        OffsetsInitializer start =
                switch (config.get(KafkaOptions.STARTING_OFFSETS)) {
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                    case TIMESTAMP ->
                            OffsetsInitializer.timestamp(
                                    config.get(KafkaOptions.STARTING_TIMESTAMP_MS));
                    case COMMITTED ->
                            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        var builder =
                KafkaSource.<T>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP_SERVERS))
                        .setProperties(config.kafkaClientProperties())
                        .setGroupId(config.get(KafkaOptions.GROUP_ID))
                        .setStartingOffsets(start)
                        .setDeserializer(deserializer)
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .setProperty("partition.discovery.interval.ms", "60000");
        subscribe(builder, topic, bounded);
        return builder.build();
    }
}
