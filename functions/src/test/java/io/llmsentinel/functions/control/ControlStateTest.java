package io.llmsentinel.functions.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlStateTest {
    static final long T = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();

    static ControlCommand command(String id, String at, String body) throws Exception {
        return ControlCommand.parse(
                ("{\"id\":\"" + id + "\",\"author\":\"ana\",\"time\":\"" + at + "\"," + body + "}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSilenceMutesItsMatchUntilItEndsOrIsLifted() throws Exception {
        ControlState s = new ControlState();
        s.apply(
                command(
                        "s1",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"silence\",\"match\":{\"service\":\"svc\"},\"until\":\"2026-12-02T11:00:00Z\""));
        assertThat(s.mutedBy("svc", "m", "p", "o", "e", "latency_ms", T + 1)).isNotNull();
        assertThat(s.mutedBy("other", "m", "p", "o", "e", "latency_ms", T + 1)).isNull();
        assertThat(s.mutedBy("svc", "m", "p", "o", "e", "latency_ms", T + 3600_000))
                .as("ended")
                .isNull();
        assertThat(s.mutedBy("svc", "m", "p", "o", "e", "latency_ms", T - 1))
                .as("not begun")
                .isNull();

        ControlState.Change lifted =
                s.apply(
                        command(
                                "u1",
                                "2026-12-02T10:05:00Z",
                                "\"type\":\"unsilence\",\"target\":\"s1\""));
        assertThat(lifted.removed()).containsExactly("s1");
        assertThat(lifted.put()).isNull();
        assertThat(s.mutedBy("svc", "m", "p", "o", "e", "latency_ms", T + 1)).isNull();
        assertThatThrownBy(
                        () ->
                                s.apply(
                                        command(
                                                "u2",
                                                "2026-12-02T10:06:00Z",
                                                "\"type\":\"unsilence\",\"target\":\"s1\"")))
                .hasMessageContaining("no silence 's1' is in force");
    }

    @Test
    void theMostSpecificRuleWinsThenTheNewest() throws Exception {
        ControlState s = new ControlState();
        s.apply(
                command(
                        "r1",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"rule\",\"match\":{\"service\":\"svc\"},\"settings\":{\"sensitivity\":\"low\"}"));
        s.apply(
                command(
                        "r2",
                        "2026-12-02T10:01:00Z",
                        "\"type\":\"rule\",\"match\":{\"service\":\"svc\",\"metric\":\"latency_ms\"},\"settings\":{\"zscore.threshold\":5}"));
        assertThat(s.ruleFor("svc", "m", "p", "o", "e", "latency_ms", T).id).isEqualTo("r2");
        assertThat(s.ruleFor("svc", "m", "p", "o", "e", "ttft_ms", T).id).isEqualTo("r1");
        s.apply(
                command(
                        "r3",
                        "2026-12-02T10:02:00Z",
                        "\"type\":\"rule\",\"match\":{\"service\":\"svc\"},\"settings\":{\"sensitivity\":\"high\"}"));
        assertThat(s.ruleFor("svc", "m", "p", "o", "e", "ttft_ms", T).id).isEqualTo("r3");
        assertThat(s.ruleFor("other", "m", "p", "o", "e", "ttft_ms", T)).isNull();
    }

    @Test
    void theSameCommandsInAnyOrderRebuildTheSameState() throws Exception {
        List<ControlCommand> kept = new ArrayList<>();
        kept.add(
                command(
                        "m1",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"maintenance\",\"match\":{\"service\":\"rag\"},\"from\":\"2026-12-02T10:00:00Z\",\"until\":\"2026-12-02T10:30:00Z\""));
        kept.add(
                command(
                        "s1",
                        "2026-12-02T10:01:00Z",
                        "\"type\":\"silence\",\"match\":{\"model\":\"gpt-4o\"},\"until\":\"2026-12-02T11:00:00Z\""));
        kept.add(
                command(
                        "r1",
                        "2026-12-02T10:02:00Z",
                        "\"type\":\"rule\",\"match\":{\"service\":\"rag\"},\"settings\":{\"iqr.k\":3}"));
        ControlState a = ControlState.of(kept);
        java.util.Collections.reverse(kept);
        ControlState b = ControlState.of(kept);
        assertThat(a).isEqualTo(b);
        assertThat(a.inMaintenance("rag", "m", "p", "o", "e", T + 60_000)).isTrue();
        assertThat(a.mutedBy("rag", "m", "p", "o", "e", "latency_ms", T + 60_000).id)
                .as("maintenance mutes too")
                .isEqualTo("m1");
        assertThat(a.silences(T)).hasSize(1);
        assertThat(a.rules(T)).hasSize(1);
    }

    @Test
    void labelsAreKeptPerAlertAndBounded() throws Exception {
        ControlState s = new ControlState();
        s.apply(
                command(
                        "f1",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"feedback\",\"target\":\"alert-1\",\"label\":\"false_positive\""));
        s.apply(
                command(
                        "f2",
                        "2026-12-02T10:01:00Z",
                        "\"type\":\"feedback\",\"target\":\"alert-1\",\"label\":\"true_positive\""));
        assertThat(s.labelOf("alert-1")).as("a later label replaces").isEqualTo("true_positive");
        ControlState.Change c =
                s.apply(
                        command(
                                "a1",
                                "2026-12-02T10:02:00Z",
                                "\"type\":\"ack\",\"target\":\"alert-1\""));
        assertThat(c.put()).isEqualTo("ack:alert-1");
        assertThat(s.ackOf("alert-1").author).isEqualTo("ana");
    }
}
