package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Alert state changes as JSON ({@code "record_type": "alert"}) on the anomaly topic, beside the
 * anomalies, keyed like them by service and model so a key's records stay in order on one
 * partition; the record timestamp is the change's event time.
 */
public class AlertSerializationSchema implements KafkaRecordSerializationSchema<AlertEvent> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public AlertSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            AlertEvent e, KafkaSinkContext context, Long timestamp) {
        byte[] key = (e.service + "|" + e.model).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, e.eventTimeMs, key, AlertJson.toBytes(e));
    }
}
