package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelNamingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "gpt-4o-2024-08-06, gpt-4o",
        "gpt-4o-mini-2024-07-18, gpt-4o-mini",
        "claude-3-5-sonnet-20240620, claude-3-5-sonnet",
        "claude-3-5-sonnet@20240620, claude-3-5-sonnet",
        "text-embedding_20240101, text-embedding",
        // names that only look dated stay: a model of its own, or not a date
        "gpt-4-0613, gpt-4-0613",
        "mistral-large-2407, mistral-large-2407",
        "gemini-1.5-pro-002, gemini-1.5-pro-002",
        "gpt-4o, gpt-4o",
        "model-2024-13-01, model-2024-13-01",
        "model-19991231, model-19991231",
        "anthropic.claude-3-5-sonnet-20240620-v1:0, anthropic.claude-3-5-sonnet-20240620-v1:0",
        "2024-08-06, 2024-08-06",
        "-20240806, -20240806"
    })
    void stripsOnlyATrailingDatedSnapshot(String model, String expected) {
        assertThat(ModelNaming.withoutSnapshot(model)).isEqualTo(expected);
    }

    @Test
    void prefersTheConfiguredNameAndFallsBackToTheOther() {
        ModelNaming request = ModelNaming.DEFAULT;
        ModelNaming response = new ModelNaming(ModelNaming.Preference.RESPONSE, false);

        assertThat(request.keyModel("gpt-4o", "gpt-4o-2024-08-06")).isEqualTo("gpt-4o");
        assertThat(request.keyModel(null, "gpt-4o-2024-08-06")).isEqualTo("gpt-4o");
        assertThat(response.keyModel("gpt-4o", "gpt-4o-2024-08-06")).isEqualTo("gpt-4o-2024-08-06");
        assertThat(response.keyModel("gpt-4o", null)).isEqualTo("gpt-4o");
        assertThat(request.keyModel(null, null)).isEqualTo("unknown");
    }
}
