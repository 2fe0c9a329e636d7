package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/**
 * {@code sinks.redis.*}: the live view (baselines per key, recent anomalies per service) that the
 * job writes and the query API reads.
 */
public final class RedisOptions implements OptionGroup {
    public static final RedisOptions GROUP = new RedisOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("sinks.redis.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Keep the live view in Redis: each key's baselines and each"
                                    + " service's recent anomalies.");

    public static final ConfigOption<String> HOST =
            key("sinks.redis.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Redis host.");

    public static final ConfigOption<Integer> PORT =
            key("sinks.redis.port").intType().defaultValue(6379).withDescription("Redis port.");

    public static final ConfigOption<String> PASSWORD_ENV =
            key("sinks.redis.password-env")
                    .stringType()
                    .defaultValue("REDIS_PASSWORD")
                    .withDescription("Environment variable holding the password, if any.");

    public static final ConfigOption<Duration> TTL =
            key("sinks.redis.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription("Every key expires this long after its last write.");

    public static final ConfigOption<Integer> RECENT_ANOMALIES =
            key("sinks.redis.recent-anomalies")
                    .intType()
                    .defaultValue(100)
                    .withDescription("Anomalies kept per service, newest first.");

    public static final ConfigOption<Integer> BASELINE_EVERY =
            key("sinks.redis.baseline-every")
                    .intType()
                    .defaultValue(20)
                    .withDescription("A metric's live baseline is written every this many values.");

    private RedisOptions() {}
}
