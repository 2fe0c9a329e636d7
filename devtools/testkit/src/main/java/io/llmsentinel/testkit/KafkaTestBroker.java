package io.llmsentinel.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real Kafka broker that scripts/test.sh starts (scripts/services.sh). Integration tests fail,
 * not skip, when it is not there: a test that cannot run has not passed.
 */
public final class KafkaTestBroker {
    private KafkaTestBroker() {}

    public static String bootstrap() {
        String b = System.getenv("SENTINEL_KAFKA_BOOTSTRAP");
        return b == null || b.isBlank() ? "127.0.0.1:9092" : b;
    }

    /** Creates fresh topics (2 partitions) named with a unique prefix; returns their names. */
    public static List<String> createTopics(String... names) throws Exception {
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> out = new ArrayList<>();
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            out.add(prefix + n);
            topics.add(new NewTopic(prefix + n, 2, (short) 1));
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        try (AdminClient admin = AdminClient.create(p)) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, out);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Could not create topics on the Kafka broker at "
                            + bootstrap()
                            + " ("
                            + e
                            + "); integration tests need the one scripts/test.sh starts"
                            + " (scripts/services.sh up)",
                    e);
        }
        return out;
    }

    /**
     * Waits until every partition of the new topics has a leader: a producer that starts while they
     * have none can get its idempotent sequence numbers out of step with the broker and retry
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen with kafka-clients 3.4).
     */
    private static void awaitLeaders(AdminClient admin, List<String> topics) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            boolean ready;
            try {
                ready =
                        admin
                                .describeTopics(topics)
                                .allTopicNames()
                                .get(10, TimeUnit.SECONDS)
                                .values()
                                .stream()
                                .allMatch(
                                        d ->
                                                d.partitions().stream()
                                                        .allMatch(pi -> pi.leader() != null));
            } catch (java.util.concurrent.ExecutionException e) {
                // right after creation the broker's metadata may not know the topics yet
                if (!(e.getCause()
                                instanceof
                                org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(
                        "partitions of " + topics + " have no leader after 30 s");
            }
            Thread.sleep(100);
        }
    }

    public static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Not idempotent, one request in flight: the same order and durability, without the
        // sequence-number state that can wedge a 3.4 client on a freshly created topic.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        return new KafkaProducer<>(p);
    }

    /** Every record now on the topic, read from the beginning. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts =
                    c.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end in 30 s");
                }
                c.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
