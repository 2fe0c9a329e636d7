package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.control.ControlCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.MockAdminClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class ControlTopicTest {
    static ControlCommand command(String json) throws Exception {
        return ControlCommand.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static String key(String json) throws Exception {
        return new String(ControlTopic.key(command(json)), StandardCharsets.UTF_8);
    }

    static final String HEAD = "{\"author\":\"ana\",\"time\":\"2026-01-01T00:00:00Z\",";

    @Test
    void theKeyIsTheKindAndIdOfTheCommand() throws Exception {
        assertThat(
                        key(
                                HEAD
                                        + "\"id\":\"x-1\",\"type\":\"silence\",\"match\":{\"service\":\"a\"},"
                                        + "\"until\":\"2026-01-02T00:00:00Z\"}"))
                .isEqualTo("silence:x-1");
        // The same id for a rule is another key: compaction keeps both.
        assertThat(
                        key(
                                HEAD
                                        + "\"id\":\"x-1\",\"type\":\"rule\",\"match\":{\"service\":\"a\"},"
                                        + "\"settings\":{\"sensitivity\":\"low\"}}"))
                .isEqualTo("rule:x-1");
        // A lift is keyed by its own id, not its target's: it is never compacted away.
        assertThat(key(HEAD + "\"id\":\"u-9\",\"type\":\"unsilence\",\"target\":\"x-1\"}"))
                .isEqualTo("unsilence:u-9");
    }

    @Test
    void theTopicIsCreatedCompactedWithOnePartition() {
        assertThat(ControlTopic.PARTITIONS).isEqualTo(1);
        assertThat(ControlTopic.CONFIG)
                .containsExactlyEntriesOf(java.util.Map.of("cleanup.policy", "compact"));
        assertThat(ControlTopic.problems("c", 1, "compact")).isEmpty();
    }

    @Test
    void anExistingTopicDeletedByAgeOrSpreadOverPartitionsIsReported() {
        assertThat(ControlTopic.problems("c", 1, "delete"))
                .singleElement()
                .asString()
                .contains("cleanup.policy=delete")
                .contains("cleanup.policy=compact");
        // compact,delete still deletes by age: a rule in force would vanish from a first start
        assertThat(ControlTopic.problems("c", 1, "compact,delete")).hasSize(1);
        assertThat(ControlTopic.problems("c", 2, "compact"))
                .singleElement()
                .asString()
                .contains("2 partitions");
    }

    static MockAdminClient broker() {
        return new MockAdminClient.Builder().numBrokers(1).defaultReplicationFactor(1).build();
    }

    static String cleanupPolicy(MockAdminClient admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r).get("cleanup.policy").value();
    }

    @Test
    void aMissingTopicIsCreatedCompactedWithOnePartition() throws Exception {
        try (MockAdminClient admin = broker()) {
            assertThat(ControlTopic.ensure(admin, "sentinel.control")).isEmpty();
            var d =
                    admin.describeTopics(List.of("sentinel.control"))
                            .allTopicNames()
                            .get()
                            .get("sentinel.control");
            assertThat(d.partitions()).hasSize(1);
            assertThat(cleanupPolicy(admin, "sentinel.control")).isEqualTo("compact");
            // the next start finds it as it must be, and says nothing
            assertThat(ControlTopic.ensure(admin, "sentinel.control")).isEmpty();
        }
    }

    @Test
    void anExistingTopicOfAnotherShapeIsReportedAndLeftAsItIs() throws Exception {
        try (MockAdminClient admin = broker()) {
            Node n = admin.brokers().get(0);
            List<TopicPartitionInfo> two =
                    List.of(
                            new TopicPartitionInfo(0, n, List.of(n), List.of(n)),
                            new TopicPartitionInfo(1, n, List.of(n), List.of(n)));
            admin.addTopic(false, "old.control", two, Map.of("cleanup.policy", "delete"));
            List<String> warnings = ControlTopic.ensure(admin, "old.control");
            assertThat(warnings).hasSize(2);
            assertThat(String.join("\n", warnings))
                    .contains("2 partitions")
                    .contains("cleanup.policy=delete");
            // A warning, not a change: converting a topic written by an older version needs care.
            assertThat(cleanupPolicy(admin, "old.control")).isEqualTo("delete");
        }
    }
}
