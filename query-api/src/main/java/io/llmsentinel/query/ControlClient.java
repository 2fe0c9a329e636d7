package io.llmsentinel.query;

import io.llmsentinel.functions.control.ControlCommand;
import io.llmsentinel.functions.control.ControlState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's side of the control topic: writes commands (idempotent producer, acknowledged by every
 * replica, keyed as {@link ControlTopic} says) and follows the topic from its beginning into a
 * {@link ControlState}, the same way the job does, so {@code GET} answers what the job has in
 * force. A command the job would refuse is refused here first, with the same reason. Creates the
 * topic, compacted, when it is missing.
 */
public final class ControlClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlClient.class);

    /**
     * Acknowledgements and labels that older versions wrote to the topic: no longer in force
     * anywhere (InfluxDB has them), skipped when the topic is read back.
     */
    private static final Set<String> RETIRED_TYPES = Set.of("ack", "feedback");

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread follower;
    private final Properties consumerProps;
    private final Properties adminProps;
    private final CountDownLatch topicChecked = new CountDownLatch(1);
    private volatile boolean running = true;
    private final Object lock = new Object();
    private ControlState state = new ControlState();
    private final java.util.List<ControlCommand> kept = new java.util.ArrayList<>();
    private long applied;
    private final java.util.Set<String> seen = new java.util.LinkedHashSet<>();

    public ControlClient(String bootstrapServers, Properties clientProperties, String topic) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(p);
        this.consumerProps = new Properties();
        consumerProps.putAll(clientProperties);
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerProps.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        consumerProps.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A topic made by auto-creation would have the broker's defaults: deleted by age.
        consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        this.adminProps = new Properties();
        adminProps.putAll(clientProperties);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // The admin client refuses an API timeout under its request timeout (30 s by default).
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        this.follower = new Thread(this::follow, "control-follower");
        follower.setDaemon(true);
        follower.start();
    }

    /** Sends a command (already validated) and waits for the broker's acknowledgement. */
    public void send(ControlCommand c) throws Exception {
        // Right after the start, the topic may be about to be created: not auto-created instead.
        topicChecked.await(15, TimeUnit.SECONDS);
        producer.send(
                        new ProducerRecord<>(
                                topic,
                                ControlTopic.key(c),
                                c.json.getBytes(StandardCharsets.UTF_8)))
                .get(15, TimeUnit.SECONDS);
    }

    /**
     * Checks a command against what is in force (an unsilence of nothing, say): the reason the job
     * would refuse it, or null.
     */
    public String refusal(ControlCommand c) {
        synchronized (lock) {
            ControlState probe = ControlState.of(new java.util.ArrayList<>(kept));
            try {
                probe.apply(c);
                return null;
            } catch (ControlCommand.InvalidCommand e) {
                return e.getMessage();
            }
        }
    }

    /** What is in force, as read from the topic so far. */
    public ControlState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Commands read from the topic so far (for readiness and tests). */
    public long applied() {
        synchronized (lock) {
            return applied;
        }
    }

    /** Waits until a command with this id has been read back from the topic (or a timeout). */
    public boolean awaitApplied(String id, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (lock) {
            while (!seen.contains(id)) {
                long wait = deadline - System.currentTimeMillis();
                if (wait <= 0) {
                    return false;
                }
                lock.wait(Math.min(wait, 100));
            }
            return true;
        }
    }

    private void follow() {
        try (Admin admin = Admin.create(adminProps)) {
            ControlTopic.ensure(admin, topic);
        } catch (RuntimeException e) {
            LOG.warn("could not check the control topic {}: {}", topic, e.toString());
        } finally {
            topicChecked.countDown();
        }
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps)) {
                List<TopicPartition> parts =
                        c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                                .map(i -> new TopicPartition(topic, i.partition()))
                                .toList();
                if (parts.isEmpty()) {
                    Thread.sleep(2_000);
                    continue;
                }
                c.assign(parts);
                c.seekToBeginning(parts);
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        read(r.value());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn(
                        "following the control topic {} failed: {}; again in 2 s",
                        topic,
                        e.toString());
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void read(byte[] value) {
        ControlCommand c;
        try {
            c = ControlCommand.parse(value);
        } catch (ControlCommand.InvalidCommand e) {
            return; // the job dead-letters it
        }
        if (RETIRED_TYPES.contains(c.type.code())) {
            return;
        }
        synchronized (lock) {
            try {
                ControlState.Change change = state.apply(c);
                if (change.put() != null) {
                    kept.removeIf(k -> ControlState.stateKey(k).equals(change.put()));
                    kept.add(c);
                }
                kept.removeIf(k -> change.removed().contains(ControlState.stateKey(k)));
            } catch (ControlCommand.InvalidCommand refused) {
                // refused by the job too
            }
            applied++;
            seen.add(c.id);
            if (seen.size() > 10_000) {
                seen.remove(seen.iterator().next());
            }
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        running = false;
        follower.interrupt();
        producer.close(Duration.ofSeconds(5));
    }
}
