package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.llmsentinel.query.CommandBody.Kind;
import org.junit.jupiter.api.Test;

class CommandBodyTest {
    static final Caller ANA = new Caller("ana", true);

    /** The problem a body gets, or null when it is accepted. */
    static Problem refusal(String json, Kind kind) {
        return catchThrowableOfType(Problem.class, () -> CommandBody.read(json, kind, false));
    }

    static void assertRefused(String json, Kind kind, String field) {
        Problem p = refusal(json, kind);
        assertThat(p).as(json).isNotNull();
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.body("/x").get("parameter")).as(p.getMessage()).isEqualTo(field);
    }

    @Test
    void aNoteOfFourHundredCharactersIsKeptAndOneMoreIsRefusedNamingTheField() {
        CommandBody ok =
                CommandBody.read("{\"note\":\"" + "n".repeat(400) + "\"}", Kind.ACK, false);
        assertThat(ok.text("note")).hasSize(400);
        assertRefused("{\"note\":\"" + "n".repeat(401) + "\"}", Kind.ACK, "note");
        Problem p = refusal("{\"note\":\"" + "n".repeat(401) + "\"}", Kind.FEEDBACK);
        assertThat(p.getMessage()).contains("401 characters").contains("at most 400");
    }

    @Test
    void everyFreeTextFieldIsBounded() {
        assertRefused("{\"reason\":\"" + "r".repeat(401) + "\"}", Kind.LIFT, "reason");
        assertRefused("{\"author\":\"" + "a".repeat(129) + "\"}", Kind.ACK, "author");
        assertRefused("{\"until\":\"" + "2".repeat(41) + "\"}", Kind.SILENCE, "until");
        assertRefused("{\"label\":\"" + "l".repeat(33) + "\"}", Kind.FEEDBACK, "label");
        assertRefused(
                "{\"match\":{\"service\":\"" + "s".repeat(201) + "\"}}",
                Kind.SILENCE,
                "match.service");
        assertRefused(
                "{\"settings\":{\"iqr.k\":\"" + "1".repeat(33) + "\"}}",
                Kind.RULE,
                "settings.iqr.k");
        assertRefused("{\"id\":\"" + "i".repeat(129) + "\"}", Kind.SILENCE, "id");
        assertRefused("{\"id\":\"a b\"}", Kind.SILENCE, "id");
    }

    @Test
    void fieldsTheKindDoesNotKnowAreRefusedNotKept() {
        assertRefused("{\"padding\":\"x\"}", Kind.SILENCE, "padding");
        assertRefused("{\"label\":\"true_positive\"}", Kind.ACK, "label");
        // A lift's id is drawn by the API: a chosen one could share a topic key.
        assertRefused("{\"id\":\"u-1\"}", Kind.LIFT, "id");
        assertRefused("{\"match\":{\"tenant\":\"t\"}}", Kind.SILENCE, "match.tenant");
        assertRefused("{\"type\":\"rule\"}", Kind.SILENCE, "type");
    }

    @Test
    void textFieldsMustBeStrings() {
        assertRefused("{\"note\":{\"a\":\"" + "n".repeat(9000) + "\"}}", Kind.ACK, "note");
        assertRefused("{\"match\":{\"service\":[\"a\",\"b\"]}}", Kind.SILENCE, "match.service");
        assertRefused("{\"match\":\"rag-api\"}", Kind.SILENCE, "match");
        // numbers are how settings are usually written
        assertThat(refusal("{\"settings\":{\"iqr.k\":2.5}}", Kind.RULE)).isNull();
    }

    @Test
    void theTokensNameIsTheAuthorAndAGivenAuthorIsKeptAsOnBehalfOf() {
        CommandBody b =
                CommandBody.read("{\"author\":\"bo\",\"note\":\"n\"}", Kind.ACK, false)
                        .authoredBy(ANA, null);
        assertThat(b.text("author")).isEqualTo("ana");
        assertThat(b.text("on_behalf_of")).isEqualTo("bo");

        CommandBody self =
                CommandBody.read("{\"author\":\"ana\"}", Kind.ACK, false).authoredBy(ANA, null);
        assertThat(self.text("author")).isEqualTo("ana");
        assertThat(self.node().has("on_behalf_of")).isFalse();

        CommandBody none = CommandBody.read("{}", Kind.ACK, false).authoredBy(ANA, null);
        assertThat(none.text("author")).isEqualTo("ana");
        assertThat(none.node().has("on_behalf_of")).isFalse();
    }

    @Test
    void aDeleteMayHaveNoBodyAndNameItsAuthorInTheQuery() {
        CommandBody b = CommandBody.read("", Kind.LIFT, true).authoredBy(ANA, "cy");
        assertThat(b.text("author")).isEqualTo("ana");
        assertThat(b.text("on_behalf_of")).isEqualTo("cy");
        Problem p =
                catchThrowableOfType(
                        Problem.class,
                        () ->
                                CommandBody.read("", Kind.LIFT, true)
                                        .authoredBy(ANA, "c".repeat(129)));
        assertThat(p.body("/x").get("parameter")).isEqualTo("author");
        assertThat(refusal("", Kind.SILENCE).status()).isEqualTo(400);
    }

    @Test
    void nullFieldsAreDroppedAndNonObjectsRefused() {
        CommandBody b = CommandBody.read("{\"note\":null,\"reason\":\"r\"}", Kind.LIFT, false);
        assertThat(b.node().has("note")).isFalse();
        assertThat(b.text("reason")).isEqualTo("r");
        assertThat(refusal("[1,2]", Kind.ACK).getMessage()).contains("JSON object");
        assertThat(refusal("{not json", Kind.ACK).getMessage()).contains("not JSON");
    }
}
