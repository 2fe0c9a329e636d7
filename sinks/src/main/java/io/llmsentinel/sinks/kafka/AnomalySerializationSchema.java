package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Anomalies as JSON on Kafka, keyed by service and model so one key's anomalies stay in order on
 * one partition; the record timestamp is the anomaly's event time.
 */
public class AnomalySerializationSchema implements KafkaRecordSerializationSchema<Anomaly> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public AnomalySerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Anomaly a, KafkaSinkContext context, Long timestamp) {
        byte[] key = (a.service + "|" + a.model).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, a.eventTimeMs, key, AnomalyJson.toBytes(a));
    }
}
