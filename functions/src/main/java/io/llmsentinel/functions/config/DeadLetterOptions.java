package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/** {@code dead-letter.*}: where input that cannot be read, and output that cannot be sent, go. */
public final class DeadLetterOptions implements OptionGroup {
    public static final DeadLetterOptions GROUP = new DeadLetterOptions();

    public static final ConfigOption<String> TOPIC =
            key("dead-letter.topic")
                    .stringType()
                    .defaultValue("sentinel.deadletter")
                    .withDescription(
                            "Where unreadable input goes, with the reason and the original"
                                    + " bytes.");

    private DeadLetterOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireNonBlank(TOPIC);
    }
}
