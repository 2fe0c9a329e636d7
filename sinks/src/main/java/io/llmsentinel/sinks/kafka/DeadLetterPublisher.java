package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.model.DeadLetter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Where deliveries that finally failed go: the dead-letter topic, in the usual JSON form. */
public interface DeadLetterPublisher extends Serializable {
    void publish(DeadLetter d) throws Exception;

    void close();

    /** Opens a publisher in the writer (not serializable itself). */
    interface Factory extends Serializable {
        DeadLetterPublisher open();
    }

    /** The Kafka dead-letter topic. */
    static Factory kafka(String bootstrapServers, Properties clientProperties, String topic) {
        return () -> {
            Properties p = new Properties();
            p.putAll(clientProperties);
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
            return new DeadLetterPublisher() {
                @Override
                public void publish(DeadLetter d) throws Exception {
                    producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            d.sourceTopic.getBytes(StandardCharsets.UTF_8),
                                            DeadLetterSerializationSchema.toJson(d)))
                            .get(30, TimeUnit.SECONDS);
                }

                @Override
                public void close() {
                    producer.close();
                }
            };
        };
    }
}
