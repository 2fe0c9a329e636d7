package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FinishReasonsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "stop | stop",
                "STOP | stop",
                "end_turn | stop",
                "length | length",
                "max_tokens | length",
                "MAX_TOKENS | length",
                "content_filter | content_filter",
                "content-filter | content_filter", // the AI SDK
                "SAFETY | content_filter",
                "refusal | content_filter",
                "tool_calls | tool_calls",
                "tool-calls | tool_calls", // the AI SDK
                "tool_call | tool_calls", // OpenLLMetry
                "tool_use | tool_calls",
                "function_call | tool_calls",
                "error | error",
                "Other | other"
            })
    void normalizesEveryLibrarysWords(String reported, String expected) {
        assertThat(FinishReasons.normalize(reported)).isEqualTo(expected);
    }

    @Test
    void takesTheFirstReasonOfEveryShape() {
        assertThat(FinishReasons.first("stop")).isEqualTo("stop");
        assertThat(FinishReasons.first("length\nstop")).isEqualTo("length"); // an array's leaves
        assertThat(FinishReasons.first("[\"STOP\"]")).isEqualTo("stop"); // Spring AI
        assertThat(FinishReasons.first("[\"LENGTH\", \"STOP\"]")).isEqualTo("length");
        assertThat(FinishReasons.first("[]")).isNull();
        assertThat(FinishReasons.first("")).isNull();
        assertThat(FinishReasons.first(null)).isNull();
        assertThat(FinishReasons.first("x".repeat(1000))).hasSize(FinishReasons.MAX_CHARS);
    }
}
