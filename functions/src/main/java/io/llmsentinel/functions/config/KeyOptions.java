package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;

/** {@code keys.*}: what a baseline is learned per. */
public final class KeyOptions implements OptionGroup {
    public static final KeyOptions GROUP = new KeyOptions();

    /** The dimensions a key can be made of, in the order anomalies list them. */
    public static final List<String> KNOWN_DIMENSIONS =
            List.of("service", "model", "provider", "operation", "environment", "namespace");

    public static final ConfigOption<List<String>> DIMENSIONS =
            key("keys.dimensions")
                    .stringType()
                    .asList()
                    .defaultValues("service", "model", "provider", "operation")
                    .withDescription(
                            "What a baseline is learned per. Any of: service, model, provider,"
                                    + " operation, environment, namespace.");

    public static final ConfigOption<Integer> MAX_PER_SUBTASK =
            key("keys.max-per-subtask")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "Distinct keys one reader subtask lets through; a new key beyond it is"
                                    + " folded into the key __overflow__ (counted, logged).");

    public static final ConfigOption<Integer> MAX_PER_SERVICE =
            key("keys.max-per-service")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription(
                            "Distinct keys of one service; a new one beyond it is folded into"
                                    + " that service's key with model, provider and operation"
                                    + " __overflow__.");

    private KeyOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireAtLeast(MAX_PER_SUBTASK, 1);
        c.requireAtLeast(MAX_PER_SERVICE, 1);
        List<String> dims = c.get(DIMENSIONS);
        if (dims.isEmpty()) {
            throw new ConfigException("'keys.dimensions' must name at least one dimension");
        }
        for (String d : dims) {
            if (!KNOWN_DIMENSIONS.contains(d)) {
                Set<String> known = new TreeSet<>(KNOWN_DIMENSIONS);
                throw new ConfigException(
                        "'keys.dimensions' has unknown dimension '" + d + "'; known: " + known);
            }
        }
    }
}
