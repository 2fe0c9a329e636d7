package io.llmsentinel.job.io;

import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.model.ReadMessage;
import io.llmsentinel.functions.read.MessageReader;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads each Kafka record where it is consumed, so the source knows its event time and makes the
 * watermark per partition (a lagging partition holds event time back instead of being dropped as
 * late). Never throws: what cannot be read travels on as the message's dead letter.
 */
public class TelemetryDeserializer implements KafkaRecordDeserializationSchema<ReadMessage> {
    private static final long serialVersionUID = 1L;

    private final MessageReader reader;

    public TelemetryDeserializer(MessageReader reader) {
        this.reader = reader;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ReadMessage> out) {
        out.collect(
                reader.read(
                        new RawMessage(
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                record.timestamp(),
                                record.value())));
    }

    @Override
    public TypeInformation<ReadMessage> getProducedType() {
        return TypeInformation.of(ReadMessage.class);
    }
}
