package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonSkimmerTest {

    private static final JsonSkimmer.Prefixes MARKERS =
            new JsonSkimmer.Prefixes(List.of("gen_ai.", "llm.", "openinference.span.kind"));

    private final JsonSkimmer s = new JsonSkimmer(64);

    private JsonSkimmer at(String json) {
        s.reset(json.getBytes(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void walksFieldsAndSkipsValuesWhateverTheyHold() {
        String json =
                "{\"a\": {\"x\": [1, {\"y\": \"}]\\\"{\"}], \"z\": null},"
                        + " \"spans\" : [ {}, {\"k\":\"v\"} ], \"n\": -1.5e3, \"t\": true}";
        JsonSkimmer s = at(json);
        s.enterObject("the message");
        int fields = 0;
        int spans = 0;
        while (s.nextField()) {
            fields++;
            if (s.fieldIs(JsonSkimmer.name("spans"))) {
                s.enterArray("spans");
                while (s.nextElement()) {
                    spans++;
                    s.skipValue();
                }
            } else {
                s.skipValue();
            }
        }
        assertThat(fields).isEqualTo(4);
        assertThat(spans).isEqualTo(2);
        assertThat(s.peek()).isEqualTo(-1);
        assertThat(s.depth()).isZero();
    }

    @Test
    void findsMarkersOnlyInAttributeNames() {
        String http =
                "{\"name\":\"gen_ai.lookalike\",\"attributes\":[{\"key\":\"db.statement\","
                        + "\"value\":{\"stringValue\":\"llm.select\"}}]}";
        String llm =
                "{\"name\":\"x\",\"attributes\":[{\"key\":\"http.method\",\"value\":{}},"
                        + "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"openai\"}}]}";
        String valueFirst =
                "{\"attributes\":[{\"value\":{\"stringValue\":\"LLM\"},"
                        + "\"key\":\"openinference.span.kind\"}]}";

        assertThat(at(http).skipUnlessMarked(MARKERS)).isTrue();
        assertThat(s.position()).isEqualTo(http.length());
        assertThat(at(llm).skipUnlessMarked(MARKERS)).isFalse();
        assertThat(at(valueFirst).skipUnlessMarked(MARKERS)).isFalse();
    }

    @Test
    void anEscapeThatCouldHideAMarkerCountsAsOne() {
        // "gen\\u005fai.system" is gen_ai.system; "k\\u0065y" is key
        assertThat(
                        at("{\"attributes\":[{\"key\":\"gen\\u005fai.system\"}]}")
                                .skipUnlessMarked(MARKERS))
                .isFalse();
        assertThat(at("{\"attributes\":[{\"k\\u0065y\":\"llm.x\"}]}").skipUnlessMarked(MARKERS))
                .isFalse();
        assertThat(at("{\"attributes\":[{\"key\":\"\\u0067en_ai.x\"}]}").skipUnlessMarked(MARKERS))
                .isFalse();
    }

    @Test
    void refusesBrokenStructureAndTooDeepNesting() {
        assertThatThrownBy(() -> at("{\"a\": [1, 2}").skipValue())
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidReason.INVALID_JSON));
        assertThatThrownBy(() -> at("{\"a\": \"unterminated").skipValue())
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidReason.INVALID_JSON));
        assertThatThrownBy(
                        () -> {
                            JsonSkimmer s = at("{\"a\" 1}");
                            s.enterObject("x");
                            s.nextField();
                        })
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidReason.INVALID_JSON));
        assertThatThrownBy(
                        () -> {
                            JsonSkimmer s = at("{\"a\": 1 \"b\": 2}");
                            s.enterObject("x");
                            s.nextField();
                            s.skipValue();
                            s.nextField();
                        })
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.getMessage()).contains("',' or '}'"));
        String deep = "[".repeat(65) + "]".repeat(65);
        assertThatThrownBy(() -> at(deep).skipValue())
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidReason.TOO_DEEP));
        String deepest = "[".repeat(64) + "]".repeat(64);
        at(deepest).skipValue();
        assertThat(s.position()).isEqualTo(deepest.length());
        assertThatThrownBy(() -> at("[1,2]").enterObject("the message"))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(InvalidReason.WRONG_TYPE);
                            assertThat(e.getMessage())
                                    .isEqualTo("the message must be an object but is an array");
                        });
    }

    @Test
    void longStringsWithEscapesAreFollowedToTheirEnd() {
        // past the eight-byte steps: quotes escaped at every offset within a word
        for (int pad = 0; pad < 17; pad++) {
            String value = "x".repeat(pad) + "\\\"]}\\\\" + "y".repeat(pad);
            String json = "{\"k\":\"" + value + "\",\"z\":[]}";
            JsonSkimmer s = at(json);
            s.skipValue();
            assertThat(s.position()).as("pad %d", pad).isEqualTo(json.length());
        }
    }
}
