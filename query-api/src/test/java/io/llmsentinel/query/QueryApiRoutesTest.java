package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.config.SentinelConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service's wiring without any server behind it (nothing listens on the configured InfluxDB and
 * Redis ports, the control topic is off): every documented route is routed, and access and body
 * checks answer before any backend is asked.
 */
class QueryApiRoutesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String READER = "reader-token";
    static final String ADMIN = "admin-token";
    static final String ID = "0123456789abcdef0123456789abcdef";
    static QueryApi api;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> o =
                Map.of(
                        "query-api.port", "0",
                        "query-api.token-hashes", "rita:" + hash(READER),
                        "query-api.admin-token-hashes", "ana:" + hash(ADMIN),
                        "query-api.query-timeout", "1 s",
                        "control.enabled", "false",
                        "sinks.influxdb.host", "http://127.0.0.1:1",
                        "sinks.influxdb.token-env", "",
                        "sinks.redis.port", "1",
                        "sinks.redis.password-env", "");
        api =
                new QueryApi(
                                QueryApiConfig.from(
                                        SentinelConfig.load(null, o, name -> null), name -> null))
                        .start();
        base = "http://127.0.0.1:" + api.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
    }

    static String hash(String token) {
        return HexFormat.of().formatHex(BearerTokens.sha256(token));
    }

    static HttpResponse<String> send(String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        return JSON.readTree(r.body());
    }

    @Test
    void everyDocumentedRouteIsRouted() throws Exception {
        JsonNode doc = JSON.readTree(send("GET", "/openapi.json", READER, null).body());
        List<String> checked = new ArrayList<>();
        var paths = doc.get("paths").fields();
        while (paths.hasNext()) {
            var path = paths.next();
            var methods = path.getValue().fieldNames();
            while (methods.hasNext()) {
                String method = methods.next().toUpperCase();
                String url = path.getKey().replace("{id}", ID);
                HttpResponse<String> r =
                        send(method, url, ADMIN, method.equals("GET") ? null : "{}");
                assertThat(r.statusCode()).as("%s %s: %s", method, url, r.body()).isNotIn(404, 405);
                checked.add(method + " " + url);
            }
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(20);
        assertThat(send("GET", "/api/v1/nothing", ADMIN, null).statusCode()).isEqualTo(404);
    }

    @Test
    void unknownTokensAreRefusedAndOnlyAdminsChangeWhatIsInForce() throws Exception {
        problem(send("GET", "/api/v1/rules", null, null), 401);
        problem(send("GET", "/api/v1/rules", "wrong", null), 401);
        String silence = "{\"match\":{\"service\":\"a\"},\"until\":\"2030-01-01T00:00:00Z\"}";
        assertThat(
                        problem(send("POST", "/api/v1/silences", READER, silence), 403)
                                .get("detail")
                                .asText())
                .contains("admin-token-hashes");
        problem(send("PUT", "/api/v1/rules/r1", READER, "{}"), 403);
        problem(send("DELETE", "/api/v1/rules/r1", READER, null), 403);
        // An admin's valid command reaches the control client, which is off here.
        problem(send("POST", "/api/v1/silences", ADMIN, silence), 503);
    }

    @Test
    void anOverlongNoteIsA400NamingTheFieldBeforeAnythingIsStored() throws Exception {
        JsonNode p =
                problem(
                        send(
                                "POST",
                                "/api/v1/anomalies/" + ID + "/ack",
                                READER,
                                "{\"note\":\"" + "n".repeat(401) + "\"}"),
                        400);
        assertThat(p.get("parameter").asText()).isEqualTo("note");
        assertThat(p.get("detail").asText()).contains("at most 400");
        JsonNode reason =
                problem(
                        send(
                                "POST",
                                "/api/v1/silences",
                                ADMIN,
                                "{\"match\":{\"service\":\"a\"},\"until\":\"2030-01-01T00:00:00Z\","
                                        + "\"reason\":\""
                                        + "r".repeat(401)
                                        + "\"}"),
                        400);
        assertThat(reason.get("parameter").asText()).isEqualTo("reason");
        JsonNode label =
                problem(
                        send(
                                "POST",
                                "/api/v1/anomalies/" + ID + "/feedback",
                                READER,
                                "{\"label\":\"meh\"}"),
                        400);
        assertThat(label.get("parameter").asText()).isEqualTo("label");
    }
}
