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

    private KeyOptions() {}

    @Override
    public void validate(SentinelConfig c) {
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
