package io.llmsentinel.functions.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlCommandTest {
    static final String HEAD =
            "\"id\":\"c-1\",\"author\":\"ana\",\"time\":\"2026-12-02T10:00:00Z\",";

    static ControlCommand parse(String body) throws Exception {
        return ControlCommand.parse(("{" + HEAD + body + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEachType() throws Exception {
        ControlCommand s =
                parse(
                        "\"type\":\"silence\",\"match\":{\"service\":\"svc\",\"metric\":\"latency_ms\"},"
                                + "\"until\":\"2026-12-02T12:00:00Z\",\"reason\":\"deploy\"");
        assertThat(s.type).isEqualTo(ControlCommand.Type.SILENCE);
        assertThat(s.fromMs).isEqualTo(s.timeMs);
        assertThat(s.untilMs - s.fromMs).isEqualTo(2 * 3600_000L);
        assertThat(s.match.matches("svc", "m", "p", "o", "e", "latency_ms")).isTrue();
        assertThat(s.match.matches("svc", "m", "p", "o", "e", "ttft_ms")).isFalse();
        assertThat(s.note).isEqualTo("deploy");
        assertThat(s.json).contains("\"v\":1");

        ControlCommand r =
                parse(
                        "\"type\":\"rule\",\"match\":{\"service\":\"batch\"},\"settings\":{\"sensitivity\":\"LOW\",\"zscore.threshold\":4}");
        assertThat(r.settings)
                .containsEntry("sensitivity", "low")
                .containsEntry("zscore.threshold", "4.0");
        assertThat(r.untilMs).isEqualTo(Long.MAX_VALUE);

        ControlCommand f =
                parse("\"type\":\"feedback\",\"target\":\"a1\",\"label\":\"false_positive\"");
        assertThat(f.label).isEqualTo("false_positive");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no type | \"match\":{\"service\":\"s\"} | 'type' is required",
                "unknown type | \"type\":\"mute\" | unknown type 'mute'",
                "silence without match | \"type\":\"silence\",\"until\":\"2026-12-02T12:00:00Z\" | 'match' is required",
                "empty match | \"type\":\"silence\",\"match\":{},\"until\":\"2026-12-02T12:00:00Z\" | at least one",
                "unknown metric | \"type\":\"silence\",\"match\":{\"metric\":\"latency\"},\"until\":\"2026-12-02T12:00:00Z\" | unknown metric 'latency'",
                "until before from | \"type\":\"silence\",\"match\":{\"service\":\"s\"},\"until\":\"2026-12-02T09:00:00Z\" | must be after",
                "bad time | \"type\":\"silence\",\"match\":{\"service\":\"s\"},\"until\":\"noon\" | not an ISO-8601",
                "unknown setting | \"type\":\"rule\",\"match\":{\"service\":\"s\"},\"settings\":{\"zscore\":3} | unknown rule setting 'zscore'",
                "bad sensitivity | \"type\":\"rule\",\"match\":{\"service\":\"s\"},\"settings\":{\"sensitivity\":\"extreme\"} | low, medium or high",
                "negative threshold | \"type\":\"rule\",\"match\":{\"service\":\"s\"},\"settings\":{\"iqr.k\":-1} | must be > 0",
                "bad label | \"type\":\"feedback\",\"target\":\"a\",\"label\":\"meh\" | label must be one of",
                "no target | \"type\":\"ack\" | 'target' is required",
            })
    void refusesInvalidCommandsWithTheReason(String name, String body, String reason) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(ControlCommand.InvalidCommand.class)
                .hasMessageContaining(reason);
    }

    @Test
    void refusesWhatIsNotACommandObject() {
        assertThatThrownBy(() -> ControlCommand.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> ControlCommand.parse("{".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not JSON");
    }
}
