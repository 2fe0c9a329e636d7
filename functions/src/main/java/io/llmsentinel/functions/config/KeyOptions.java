package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.llmsentinel.functions.read.ModelNaming;
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

    public static final ConfigOption<ModelNaming.Preference> MODEL_NAME =
            key("keys.model-name")
                    .enumType(ModelNaming.Preference.class)
                    .defaultValue(ModelNaming.DEFAULT.preference())
                    .withDescription(
                            "Which of a call's model names its key uses: request (the model the"
                                    + " application asked for, gen_ai.request.model) or response"
                                    + " (the model that answered, gen_ai.response.model); the"
                                    + " other when the chosen one is absent, and both are kept"
                                    + " on the request. request is the default: the alias an"
                                    + " application asks for (gpt-4o) stays the same when the"
                                    + " provider moves it to a new dated snapshot"
                                    + " (gpt-4o-2024-08-06), which would split the key's"
                                    + " baseline in two.");

    public static final ConfigOption<Boolean> STRIP_MODEL_SNAPSHOT =
            key("keys.strip-model-snapshot")
                    .booleanType()
                    .defaultValue(ModelNaming.DEFAULT.stripSnapshot())
                    .withDescription(
                            "Remove a trailing dated snapshot (-2024-08-06, -20240806,"
                                    + " @20240620) from the key's model name, so calls one"
                                    + " instrumentation names by the alias and another by the"
                                    + " snapshot (OpenInference: streamed gpt-4o, non-streamed"
                                    + " gpt-4o-2024-08-06) share one key.");

    private KeyOptions() {}

    /** How the readers name a key's model. */
    public static ModelNaming modelNaming(SentinelConfig c) {
        return new ModelNaming(c.get(MODEL_NAME), c.get(STRIP_MODEL_SNAPSHOT));
    }

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
