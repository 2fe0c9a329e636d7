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

    public static final ConfigOption<Integer> MAX_PAYLOAD_BYTES =
            key("dead-letter.max-payload-bytes")
                    .intType()
                    .defaultValue(65536)
                    .withDescription(
                            "A dead letter keeps at most this many bytes of the original (scrubbed"
                                    + " of personal data), with its full size and SHA-256; the"
                                    + " dead-letter producer's request size is set to fit.");

    private DeadLetterOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireNonBlank(TOPIC);
        c.requireAtLeast(MAX_PAYLOAD_BYTES, 0);
        if (c.get(MAX_PAYLOAD_BYTES) > 8 * 1024 * 1024) {
            throw new ConfigException("'dead-letter.max-payload-bytes' must be at most 8 MiB");
        }
    }

    /** The producer request size a dead letter of this cap fits in (base64, details, fields). */
    public static int producerMaxRequestBytes(int maxPayloadBytes) {
        return Math.max(1024 * 1024, maxPayloadBytes / 3 * 4 + 64 * 1024);
    }
}
