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
        assertThat(lifted.removed()).containsExactly("silence:s1");
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
    void acknowledgementsAndLabelsAreAuditedButNeverKept() throws Exception {
        ControlState s = new ControlState();
        ControlState.Change label =
                s.apply(
                        command(
                                "f1",
                                "2026-12-02T10:00:00Z",
                                "\"type\":\"feedback\",\"target\":\"alert-1\",\"label\":\"false_positive\""));
        ControlState.Change ack =
                s.apply(
                        command(
                                "a1",
                                "2026-12-02T10:02:00Z",
                                "\"type\":\"ack\",\"target\":\"alert-1\""));
        assertThat(label.put()).isNull();
        assertThat(ack.put()).isNull();
        assertThat(ack.summary()).isEqualTo("alert alert-1 acknowledged by ana");
        assertThat(s.hasMutes()).isFalse();
    }

    @Test
    void eachKindHasItsOwnIds() throws Exception {
        ControlState s = new ControlState();
        ControlState.Change silence =
                s.apply(
                        command(
                                "x",
                                "2026-12-02T10:00:00Z",
                                "\"type\":\"silence\",\"match\":{\"service\":\"svc\"},\"until\":\"2026-12-02T11:00:00Z\""));
        ControlState.Change rule =
                s.apply(
                        command(
                                "x",
                                "2026-12-02T10:01:00Z",
                                "\"type\":\"rule\",\"match\":{\"service\":\"svc\"},\"settings\":{\"sensitivity\":\"low\"}"));
        assertThat(silence.put()).isEqualTo("silence:x");
        assertThat(rule.put()).isEqualTo("rule:x");
        ControlState.Change lifted =
                s.apply(
                        command(
                                "u",
                                "2026-12-02T10:02:00Z",
                                "\"type\":\"unsilence\",\"target\":\"x\""));
        assertThat(lifted.removed()).containsExactly("silence:x");
        assertThat(s.ruleFor("svc", "m", "p", "o", "e", "latency_ms", T).id).isEqualTo("x");
        assertThat(s.mutedBy("svc", "m", "p", "o", "e", "latency_ms", T + 1)).isNull();
    }

    @Test
    void whatHasEndedIsForgottenAndWhatIsInForceIsBounded() throws Exception {
        ControlState s = new ControlState();
        s.apply(
                command(
                        "s-old",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"silence\",\"match\":{\"service\":\"svc\"},\"until\":\"2026-12-02T10:30:00Z\""));
        s.apply(
                command(
                        "r-old",
                        "2026-12-02T10:00:00Z",
                        "\"type\":\"rule\",\"match\":{\"service\":\"svc\"},\"settings\":{\"iqr.k\":3},\"until\":\"2026-12-02T10:30:00Z\""));
        assertThat(s.expire(T + 10 * 60_000)).isEmpty();
        assertThat(s.expire(T + 30 * 60_000))
                .containsExactlyInAnyOrder("silence:s-old", "rule:r-old");
        assertThat(s.hasMutes()).isFalse();
        assertThat(s.hasRules()).isFalse();

        for (int i = 0; i < ControlState.MAX_IN_FORCE; i++) {
            s.apply(
                    command(
                            "s" + i,
                            "2026-12-02T10:00:00Z",
                            "\"type\":\"silence\",\"match\":{\"service\":\"svc"
                                    + i
                                    + "\"},\"until\":\"2026-12-03T10:00:00Z\""));
        }
        assertThatThrownBy(
                        () ->
                                s.apply(
                                        command(
                                                "one-more",
                                                "2026-12-02T10:00:00Z",
                                                "\"type\":\"silence\",\"match\":{\"service\":\"x\"},\"until\":\"2026-12-03T10:00:00Z\"")))
                .hasMessageContaining("1000 silences are in force already");
        // replacing one in force is not one more
        s.apply(
                command(
                        "s7",
                        "2026-12-02T10:05:00Z",
                        "\"type\":\"silence\",\"match\":{\"service\":\"svc7\"},\"until\":\"2026-12-04T10:00:00Z\""));
        assertThat(s.silences(T)).hasSize(ControlState.MAX_IN_FORCE);
    }

    @Test
    void oversizedCommandsAndLongNotesAreRefused() {
        String note = "n".repeat(ControlCommand.MAX_NOTE_CHARS + 1);
        assertThatThrownBy(
                        () ->
                                command(
                                        "a1",
                                        "2026-12-02T10:00:00Z",
                                        "\"type\":\"ack\",\"target\":\"x\",\"note\":\""
                                                + note
                                                + "\""))
                .hasMessageContaining("'note' has 401 characters; at most 400");
        String huge = "x".repeat(ControlCommand.MAX_BYTES);
        assertThatThrownBy(
                        () ->
                                command(
                                        "a2",
                                        "2026-12-02T10:00:00Z",
                                        "\"type\":\"ack\",\"target\":\"x\",\"pad\":\""
                                                + huge
                                                + "\""))
                .hasMessageContaining("exceeds 8192 bytes");
    }
}
