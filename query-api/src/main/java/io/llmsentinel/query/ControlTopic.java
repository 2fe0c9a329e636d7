package io.llmsentinel.query;

import io.llmsentinel.functions.control.ControlCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape the control topic must have, and the key of each command on it.
 *
 * <ul>
 *   <li>One partition: commands are applied in the order they were written (a lift after its
 *       silence).
 *   <li>Compacted ({@code cleanup.policy=compact}), never deleted by age: the job and the query API
 *       rebuild what is in force from the whole topic on a first start, so a rule set a year ago
 *       must still be on it.
 *   <li>Keyed by the kind and id of a command ({@code rule:batch-low}, {@code silence:s-1a2b...}).
 *       Compaction keeps the newest record of each key, so it drops only a silence, maintenance
 *       window or rule that a later one with the same kind and id replaced, which is what the job
 *       does with it too. A lift ({@code unsilence}, {@code end_maintenance}, {@code delete_rule})
 *       has an id of its own that the API draws, so it is never dropped and what was lifted stays
 *       lifted.
 * </ul>
 */
final class ControlTopic {
    private static final Logger LOG = LoggerFactory.getLogger(ControlTopic.class);

    static final int PARTITIONS = 1;

    /** Topic settings the API creates the topic with; the same as scripts/services.sh's. */
    static final Map<String, String> CONFIG =
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

    private ControlTopic() {}

    /** The record key of a command: what compaction keeps the newest of. */
    static byte[] key(ControlCommand c) {
        return (c.type.code() + ":" + c.id).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What is wrong with an existing topic's shape, one sentence each for the log (empty when
     * nothing is).
     */
    static List<String> problems(String topic, int partitions, String cleanupPolicy) {
        List<String> out = new ArrayList<>();
        if (partitions != PARTITIONS) {
            out.add(
                    "control topic "
                            + topic
                            + " has "
                            + partitions
                            + " partitions: commands on different partitions are read in no set"
                            + " order (a lift may come before its silence); create it with 1");
        }
        if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanupPolicy)) {
            out.add(
                    "control topic "
                            + topic
                            + " has cleanup.policy="
                            + cleanupPolicy
                            + ": commands older than its retention are deleted, and a first"
                            + " start no longer sees rules and silences still in force; set"
                            + " cleanup.policy=compact (docs/operations.md, \"The control"
                            + " topic\")");
        }
        return out;
    }

    /**
     * Creates the topic with this shape when it is missing (replication from the broker's default),
     * and says what is wrong with an existing one. Never throws: without the rights to create
     * topics or read their settings (a production principal needs neither), it says so and the API
     * carries on with the topic as it is. Returns the warnings it logged.
     */
    static List<String> ensure(Admin admin, String topic) {
        List<String> warnings = new ArrayList<>();
        try {
            TopicDescription d;
            try {
                d =
                        admin.describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(15, TimeUnit.SECONDS)
                                .get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                create(admin, topic, warnings);
                d = null;
            }
            if (d != null) {
                warnings.addAll(
                        problems(topic, d.partitions().size(), cleanupPolicy(admin, topic)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause =
                    e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            warnings.add(
                    "could not check the control topic "
                            + topic
                            + " ("
                            + cause
                            + "); it must have 1 partition and cleanup.policy=compact");
        }
        warnings.forEach(LOG::warn);
        return warnings;
    }

    /** The topic's cleanup.policy; assumed right when this principal may not read settings. */
    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config =
                    admin.describeConfigs(List.of(r)).all().get(15, TimeUnit.SECONDS).get(r);
            var entry = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return entry == null ? "" : entry.value();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof AuthorizationException)) {
                throw e;
            }
            LOG.info(
                    "control topic {}: its cleanup.policy is not readable by this principal (no"
                            + " DESCRIBE_CONFIGS); it must be compact",
                    topic);
            return TopicConfig.CLEANUP_POLICY_COMPACT;
        }
    }

    private static void create(Admin admin, String topic, List<String> warnings) throws Exception {
        try {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty())
                                            .configs(CONFIG)))
                    .all()
                    .get(15, TimeUnit.SECONDS);
            LOG.info("created control topic {}: 1 partition, cleanup.policy=compact", topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return; // another replica of the API was quicker
            }
            if (e.getCause() instanceof AuthorizationException) {
                warnings.add(
                        "control topic "
                                + topic
                                + " does not exist, and this principal may not create it: create"
                                + " it with 1 partition and cleanup.policy=compact"
                                + " (docs/operations.md)");
                return;
            }
            throw e;
        }
    }
}
