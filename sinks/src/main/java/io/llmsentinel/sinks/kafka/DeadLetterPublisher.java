package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.read.DeadLetters;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where deliveries that finally failed go: the dead-letter topic, in the usual JSON form. Called
 * from an output's delivery thread, which keeps the record and tries again when this throws.
 */
public interface DeadLetterPublisher extends Serializable {
    void publish(DeadLetter d) throws Exception;

    /**
     * Publishes several; returns once the topic has all of them, throws if it has not (some may be
     * there: the caller tries them all again, at least once).
     */
    default void publishAll(List<DeadLetter> letters) throws Exception {
        for (DeadLetter d : letters) {
            publish(d);
        }
    }

    void close();

    /** Opens a publisher in the writer (not serializable itself). */
    interface Factory extends Serializable {
        DeadLetterPublisher open();
    }

    /**
     * The Kafka dead-letter topic; each dead letter bounded to {@code maxPayloadBytes} of its
     * payload (scrubbed, with size and SHA-256), and the producer's request size set to fit.
     */
    static Factory kafka(
            String bootstrapServers,
            Properties clientProperties,
            String topic,
            int maxPayloadBytes,
            int maxRequestBytes) {
        return () -> {
            DeadLetters bound = new DeadLetters(maxPayloadBytes);
            Properties p = new Properties();
            p.putAll(clientProperties);
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
            return new DeadLetterPublisher() {
                @Override
                public void publish(DeadLetter d) throws Exception {
                    bound.bound(d);
                    producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            d.sourceTopic.getBytes(StandardCharsets.UTF_8),
                                            DeadLetterSerializationSchema.toJson(d)))
                            .get(30, TimeUnit.SECONDS);
                }

                /** Sends all, then waits: one round trip for a batch, not one per letter. */
                @Override
                public void publishAll(List<DeadLetter> letters) throws Exception {
                    List<Future<?>> sent = new ArrayList<>(letters.size());
                    for (DeadLetter d : letters) {
                        bound.bound(d);
                        sent.add(
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                d.sourceTopic.getBytes(StandardCharsets.UTF_8),
                                                DeadLetterSerializationSchema.toJson(d))));
                    }
                    for (Future<?> f : sent) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                }

                @Override
                public void close() {
                    producer.close();
                }
            };
        };
    }
}
