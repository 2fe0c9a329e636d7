package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.SentinelConfig;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
    static String hash(String token) {
        return HexFormat.of().formatHex(BearerTokens.sha256(token));
    }

    @Test
    void aNamedTokenActsUnderItsName() {
        BearerTokens t = BearerTokens.parse(List.of("ana:" + hash("ana-secret")), List.of());
        assertThat(t.identify("ana-secret")).isEqualTo(new Caller("ana", false));
        assertThat(t.identify("someone-else")).isNull();
        assertThat(t.identify("")).isNull();
    }

    @Test
    void aBareHashIsStillAcceptedAndNamedAfterItsFirstEightHex() {
        String h = hash("old-token");
        BearerTokens t = BearerTokens.parse(List.of(h.toUpperCase()), List.of());
        assertThat(t.identify("old-token"))
                .isEqualTo(new Caller("token-" + h.substring(0, 8), false));
    }

    @Test
    void anAdminTokenIsAnAdminEvenWhenAlsoListedAsAReader() {
        BearerTokens t =
                BearerTokens.parse(
                        List.of("ana:" + hash("a"), "bo:" + hash("b")),
                        List.of("ana:" + hash("a"), "root:" + hash("r")));
        assertThat(t.identify("a")).isEqualTo(new Caller("ana", true));
        assertThat(t.identify("b")).isEqualTo(new Caller("bo", false));
        assertThat(t.identify("r")).isEqualTo(new Caller("root", true));
        assertThat(t.describe()).contains("[ana, bo]").contains("admin [ana, root]");
    }

    @Test
    void oneNameMayHoldTwoTokensDuringARotation() {
        BearerTokens t =
                BearerTokens.parse(List.of("ci:" + hash("old"), "ci:" + hash("new")), List.of());
        assertThat(t.identify("old").name()).isEqualTo("ci");
        assertThat(t.identify("new").name()).isEqualTo("ci");
    }

    @Test
    void aMalformedEntryStopsTheStartNamingTheKey() {
        assertThatThrownBy(() -> BearerTokens.parse(List.of("ana:abc123"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'query-api.token-hashes'")
                .hasMessageContaining("NAME:SHA256HEX");
        assertThatThrownBy(() -> BearerTokens.parse(List.of(), List.of("CHANGE_ME")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'query-api.admin-token-hashes'");
        assertThatThrownBy(() -> BearerTokens.parse(List.of("a b:" + hash("x")), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the name 'a b'");
        assertThatThrownBy(() -> BearerTokens.parse(List.of(":" + hash("x")), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the name ''");
    }

    @Test
    void oneTokenUnderTwoNamesIsRefused() {
        assertThatThrownBy(
                        () ->
                                BearerTokens.parse(
                                        List.of("ana:" + hash("t")), List.of("bo:" + hash("t"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'query-api.admin-token-hashes'")
                .hasMessageContaining("named both 'ana' and 'bo'");
    }

    /** Through the loader, as a container sets them: a comma-separated environment variable. */
    @Test
    void namedEntriesFromTheEnvironmentAndTheFileFormat() {
        Map<String, String> env =
                Map.of(
                        "SENTINEL_QUERY_API_TOKEN_HASHES",
                        "ana:" + hash("a") + ", bo:" + hash("b"),
                        "SENTINEL_QUERY_API_ADMIN_TOKEN_HASHES",
                        "ops@example.com:" + hash("o"));
        QueryApiConfig c =
                QueryApiConfig.from(SentinelConfig.load(null, Map.of(), env::get), env::get);
        assertThat(c.tokens().identify("a")).isEqualTo(new Caller("ana", false));
        assertThat(c.tokens().identify("b")).isEqualTo(new Caller("bo", false));
        assertThat(c.tokens().identify("o")).isEqualTo(new Caller("ops@example.com", true));
        assertThat(c.describe().toString()).doesNotContain(hash("a"));

        Map<String, String> broken = Map.of("SENTINEL_QUERY_API_TOKEN_HASHES", "ana:nothex");
        assertThatThrownBy(
                        () ->
                                QueryApiConfig.from(
                                        SentinelConfig.load(null, Map.of(), broken::get),
                                        broken::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'query-api.token-hashes'");
    }
}
