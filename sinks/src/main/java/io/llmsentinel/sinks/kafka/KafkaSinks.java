package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** The Kafka outputs: the anomaly stream and the dead-letter topic. */
public final class KafkaSinks {
    private KafkaSinks() {}

    /**
     * The anomaly stream. Exactly-once: records go out in Kafka transactions committed with each
     * checkpoint, so a restart neither loses nor repeats them for read_committed consumers; the
     * transaction timeout stays under the brokers' transaction.max.timeout.ms (15 minutes by
     * default).
     */
    public static KafkaSink<Anomaly> anomalies(
            String bootstrapServers,
            Properties clientProperties,
            String topic,
            boolean exactlyOnce,
            String transactionalIdPrefix) {
        return transactional(
                bootstrapServers,
                clientProperties,
                new AnomalySerializationSchema(topic),
                exactlyOnce,
                transactionalIdPrefix);
    }

    /**
     * Alert state changes on the anomaly topic, exactly once like the anomalies; a sink of its own
     * (own transactional ids) beside the anomalies' sink.
     */
    public static KafkaSink<AlertEvent> alerts(
            String bootstrapServers,
            Properties clientProperties,
            String topic,
            boolean exactlyOnce,
            String transactionalIdPrefix) {
        return transactional(
                bootstrapServers,
                clientProperties,
                new AlertSerializationSchema(topic),
                exactlyOnce,
                transactionalIdPrefix);
    }

    /**
     * Audit events of control commands (JSON, {@code "record_type": "audit"}) on the anomaly topic,
     * keyed by command id, exactly once like the rest of it.
     */
    public static KafkaSink<String> audit(
            String bootstrapServers,
            Properties clientProperties,
            String topic,
            boolean exactlyOnce,
            String transactionalIdPrefix) {
        KafkaRecordSerializationSchema<String> schema =
                (json, context, timestamp) ->
                        new org.apache.kafka.clients.producer.ProducerRecord<>(
                                topic,
                                null,
                                timestamp,
                                "audit".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return transactional(
                bootstrapServers, clientProperties, schema, exactlyOnce, transactionalIdPrefix);
    }

    private static <T> KafkaSink<T> transactional(
            String bootstrapServers,
            Properties clientProperties,
            KafkaRecordSerializationSchema<T> serializer,
            boolean exactlyOnce,
            String transactionalIdPrefix) {
        Properties producer = new Properties();
        producer.putAll(clientProperties);
        producer.putIfAbsent("transaction.timeout.ms", "900000");
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(
                        exactlyOnce
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    /**
     * At-least-once: a dead letter written twice is harmless; one lost is not. Dead letters are
     * bounded (dead-letter.max-payload-bytes), and the producer's request size is set to fit the
     * largest, so no message's dead letter can fail the sink and restart the job.
     */
    public static KafkaSink<DeadLetter> deadLetters(
            String bootstrapServers,
            Properties clientProperties,
            String topic,
            int maxRequestBytes) {
        Properties producer = new Properties();
        producer.putAll(clientProperties);
        producer.putIfAbsent("max.request.size", Integer.toString(maxRequestBytes));
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new DeadLetterSerializationSchema(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
