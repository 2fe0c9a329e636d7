package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** The Kafka outputs: the anomaly stream and the dead-letter topic. */
public final class KafkaSinks {
    private KafkaSinks() {}

    public static KafkaSink<Anomaly> anomalies(
            String bootstrapServers, Properties clientProperties, String topic) {
        return KafkaSink.<Anomaly>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(clientProperties)
                .setRecordSerializer(new AnomalySerializationSchema(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** At-least-once: a dead letter written twice is harmless; one lost is not. */
    public static KafkaSink<DeadLetter> deadLetters(
            String bootstrapServers, Properties clientProperties, String topic) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(clientProperties)
                .setRecordSerializer(new DeadLetterSerializationSchema(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
