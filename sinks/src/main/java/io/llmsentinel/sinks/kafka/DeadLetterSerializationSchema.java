package io.llmsentinel.sinks.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmsentinel.functions.model.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A dead letter as a JSON record: the first reason and every reason with its count, what was wrong,
 * where it came from, the original's size and SHA-256, and a bounded, scrubbed copy of it (base64).
 * The Kafka key is the source coordinates, and the reason is also a header so consumers can filter
 * without parsing.
 */
public class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] key =
                (d.sourceTopic + "/" + d.sourcePartition + "/" + d.sourceOffset)
                        .getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("sentinel-reason", d.reason.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, null, key, toJson(d), headers);
    }

    public static byte[] toJson(DeadLetter d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + sizeOf(d.payload) * 2);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("reason", d.reason);
            g.writeStringField("reasons", d.reasons);
            g.writeNumberField("invalid_count", d.invalidCount);
            g.writeBooleanField("whole_message", d.wholeMessage);
            g.writeStringField("detail", d.detail);
            g.writeStringField("source_topic", d.sourceTopic);
            g.writeNumberField("source_partition", d.sourcePartition);
            g.writeNumberField("source_offset", d.sourceOffset);
            g.writeStringField(
                    "source_timestamp", Instant.ofEpochMilli(d.sourceTimestampMs).toString());
            g.writeStringField("failed_at", Instant.ofEpochMilli(d.failedAtMs).toString());
            g.writeNumberField("size_bytes", d.sizeBytes);
            g.writeStringField("sha256", d.sha256);
            g.writeBooleanField("payload_truncated", d.payloadTruncated);
            g.writeNumberField("payload_bytes", sizeOf(d.payload));
            g.writeStringField(
                    "payload_base64",
                    d.payload == null ? null : Base64.getEncoder().encodeToString(d.payload));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int sizeOf(byte[] b) {
        return b == null ? 0 : b.length;
    }
}
