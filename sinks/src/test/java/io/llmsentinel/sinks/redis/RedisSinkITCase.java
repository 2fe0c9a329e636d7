package io.llmsentinel.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.config.DeliveryOptions;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.RedisKeys;
import io.llmsentinel.sinks.delivery.OutboxSettings;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.testkit.MiniClusters;
import io.llmsentinel.testkit.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;

/** The Redis live view in a Flink job, against the real Redis that scripts/test.sh starts. */
class RedisSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerTwoSlots();

    private final String service = "it-svc:" + UUID.randomUUID().toString().substring(0, 8);

    private static RedisSettings settings(int port) {
        return new RedisSettings(TestServers.REDIS_HOST, port, "", 3600, 100, 10_000, 500);
    }

    private BaselineSnapshot baseline(int i) {
        BaselineSnapshot b = new BaselineSnapshot();
        b.service = service;
        b.model = "gpt-4o";
        b.provider = "openai";
        b.operation = "chat";
        b.environment = "prod";
        b.metric = "latency_ms";
        b.eventTimeMs = 1_764_000_000_000L + i;
        b.samples = 20L * (i + 1);
        b.mean = 1000 + i;
        b.stddev = 100;
        b.median = 980;
        b.mad = 60;
        b.q1 = 930;
        b.q3 = 1050;
        b.lastValue = 1200;
        return b;
    }

    private Anomaly anomaly(int i) {
        Anomaly a = new Anomaly();
        a.anomalyId = String.format("%032x", i);
        a.service = service;
        a.metric = "latency_ms";
        a.severity = "high";
        a.anomalyType = "latency_spike";
        a.eventTimeMs = 1_764_000_000_000L + i;
        a.value = i;
        return a;
    }

    @Test
    void baselinesAndRecentAnomaliesAreReadableWithTheDocumentedKeys() throws Exception {
        List<BaselineSnapshot> baselines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            baselines.add(baseline(i));
        }
        List<Anomaly> anomalies = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            anomalies.add(anomaly(i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(baselines, TypeInformation.of(BaselineSnapshot.class))
                .sinkTo(new RedisSink<>(settings(6379), backlog("b"), RedisWrites.baselines()));
        env.fromData(anomalies, TypeInformation.of(Anomaly.class))
                .sinkTo(
                        new RedisSink<>(
                                settings(6379), backlog("a"), RedisWrites.recentAnomalies()));
        env.execute("redis-sink-it");

        try (JedisPooled redis = new JedisPooled(TestServers.REDIS_HOST, TestServers.REDIS_PORT)) {
            String key = RedisKeys.baseline(service, "gpt-4o", "openai", "chat", "latency_ms");
            assertThat(key).as("a colon in a service name is escaped").contains("it-svc%3A");
            Map<String, String> h = redis.hgetAll(key);
            assertThat(h.get("samples")).isEqualTo("100"); // the last snapshot wins
            assertThat(h.get("mean")).isEqualTo("1004.0");
            assertThat(h.get("service")).isEqualTo(service);
            assertThat(redis.ttl(key)).isBetween(3000L, 3600L);
            assertThat(redis.zrange(RedisKeys.baselines(service), 0, -1)).containsExactly(key);
            assertThat(redis.zrange(RedisKeys.SERVICES, 0, -1)).contains(service);
            assertThat(redis.ttl(RedisKeys.baselines(service))).isBetween(3000L, 3600L);

            List<String> recent = redis.lrange(RedisKeys.recentAnomalies(service), 0, -1);
            assertThat(recent).as("capped at 100").hasSize(100);
            assertThat(recent.get(0)).as("newest first").contains(String.format("%032x", 149));
            assertThat(recent.get(99)).contains(String.format("%032x", 50));

            redis.del(key, RedisKeys.baselines(service), RedisKeys.recentAnomalies(service));
            redis.zrem(RedisKeys.SERVICES, service);
        }
    }

    /**
     * The indexes shrink with their members: a member not written for a TTL is pruned on the next
     * write of its index, so random model names cannot grow an index for ever.
     */
    @Test
    void indexMembersOlderThanTheTtlArePrunedOnTheNextWrite() throws Exception {
        RedisSettings s = settings(6379);
        try (JedisPooled redis = new JedisPooled(TestServers.REDIS_HOST, TestServers.REDIS_PORT);
                var p = redis.pipelined()) {
            String index = RedisKeys.baselines(service);
            long now = System.currentTimeMillis();
            redis.zadd(index, now - s.ttlSeconds() * 1000 - 1, "sentinel:baseline:gone");
            redis.zadd(index, now - 1000, "sentinel:baseline:recent");
            RedisWrites.send(p, RedisWrites.baselines().commands(baseline(1), s, now));
            p.sync();
            assertThat(redis.zrange(index, 0, -1))
                    .contains("sentinel:baseline:recent")
                    .doesNotContain("sentinel:baseline:gone")
                    .hasSize(2);
            redis.del(index, RedisKeys.baseline(service, "gpt-4o", "openai", "chat", "latency_ms"));
            redis.zrem(RedisKeys.SERVICES, service);
        }
    }

    private static OutboxSettings backlog(String name) {
        return TestBacklogs.settings(name, 500);
    }

    @Test
    @Timeout(120) // a writer that blocked on Redis would hang the job: that must fail, not wait
    void aRedisThatIsDownDoesNotStopTheJob() throws Exception {
        List<Anomaly> anomalies = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            anomalies.add(anomaly(i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        var stream = env.fromData(anomalies, TypeInformation.of(Anomaly.class));
        // Nothing listens on port 1: every write fails, the queue fills, the rest is dropped.
        OutboxSettings dropping =
                new OutboxSettings(
                        "down",
                        1_000,
                        500,
                        0,
                        DeliveryOptions.WhenFull.DROP_OLDEST,
                        20,
                        200,
                        60_000,
                        1_000);
        stream.sinkTo(new RedisSink<>(settings(1), dropping, RedisWrites.recentAnomalies()));
        // The rest of the job goes on: every record reaches another output.
        DELIVERED.set(0);
        stream.sinkTo(new Counting());
        env.execute("redis-down-it");
        assertThat(DELIVERED.get()).isEqualTo(20_000);
    }

    static final java.util.concurrent.atomic.AtomicLong DELIVERED =
            new java.util.concurrent.atomic.AtomicLong();

    /** Counts what reaches it. */
    static final class Counting implements org.apache.flink.api.connector.sink2.Sink<Anomaly> {
        @Override
        @SuppressWarnings("deprecation")
        public org.apache.flink.api.connector.sink2.SinkWriter<Anomaly> createWriter(
                InitContext context) {
            return new org.apache.flink.api.connector.sink2.SinkWriter<>() {
                @Override
                public void write(Anomaly a, Context c) {
                    DELIVERED.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
