package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/** {@code job.*}: the job as the Flink web UI shows it. */
public final class JobOptions implements OptionGroup {
    public static final JobOptions GROUP = new JobOptions();

    public static final ConfigOption<String> NAME =
            key("job.name")
                    .stringType()
                    .defaultValue("LLM-Sentinel")
                    .withDescription("The job's name in the Flink web UI.");

    public static final ConfigOption<Integer> PARALLELISM =
            key("job.parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Parallelism of the job; -1 uses the cluster's default"
                                    + " (parallelism.default).");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            key("job.max-parallelism")
                    .intType()
                    .defaultValue(128)
                    .withDescription(
                            "The number of key groups: the most subtasks the keyed state can ever be"
                                    + " spread over. Part of the savepoint contract: a savepoint"
                                    + " restores only with the same value (128 is what Flink"
                                    + " chose for every earlier version of this job).");

    private JobOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        int p = c.get(PARALLELISM);
        if (p == 0 || p < -1) {
            throw new ConfigException("'job.parallelism' must be -1 or at least 1, not " + p);
        }
        int max = c.get(MAX_PARALLELISM);
        if (max < 1 || max > 32_768) {
            throw new ConfigException("'job.max-parallelism' must be within 1..32768, not " + max);
        }
        if (p > max) {
            throw new ConfigException(
                    "'job.parallelism' (" + p + ") exceeds 'job.max-parallelism' (" + max + ")");
        }
    }
}
