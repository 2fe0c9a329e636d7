package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.sample.SampleData;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.testkit.HeadlessChromium;
import io.llmsentinel.testkit.InfluxTranslator;
import io.llmsentinel.testkit.InfluxV1;
import io.llmsentinel.testkit.KafkaTestBroker;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The query API against real servers: Redis, and InfluxDB 1.x behind the InfluxDB 3 wire
 * translator, reached through the real {@code influxdb3-java} calls (HTTP writes, Flight DoGet with
 * InfluxQL). The data is what the detection engine found in 20 minutes of generated telemetry with
 * a latency spike, written as the job's sinks write it.
 */
class QueryApiITCase {
    static final String INFLUXDB = "http://127.0.0.1:8086";
    static final String TOKEN = "it-token-" + UUID.randomUUID();
    static final String ADMIN = "it-admin-" + UUID.randomUUID();

    /** A token configured as a bare hash, the format before names: named token-<8 hex>. */
    static final String BARE = "it-bare-" + UUID.randomUUID();

    static String controlTopic;
    static List<io.llmsentinel.functions.alert.AlertEvent> alerts;
    static final String ALLOWED = "https://dashboards.example.com";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static String db;
    static InfluxTranslator translator;
    static QueryApi api;
    static String base;
    static List<Anomaly> anomalies;

    /** Requests whose event time lies in [from, to). */
    static int requests;

    static Instant from;
    static Instant to;

    static QueryApiConfig config(int redisPort) {
        String hash = HexFormat.of().formatHex(BearerTokens.sha256(TOKEN));
        String admin = HexFormat.of().formatHex(BearerTokens.sha256(ADMIN));
        String bare = HexFormat.of().formatHex(BearerTokens.sha256(BARE));
        // Through the job's own loader, with the overrides a container would set.
        return QueryApiConfig.from(
                SentinelConfig.load(
                        null,
                        Map.ofEntries(
                                Map.entry("kafka.bootstrap-servers", KafkaTestBroker.bootstrap()),
                                Map.entry("control.topic", controlTopic),
                                Map.entry("query-api.admin-token-hashes", "it-admin:" + admin),
                                Map.entry("query-api.port", "0"),
                                Map.entry(
                                        "query-api.token-hashes", "it-reader:" + hash + ";" + bare),
                                Map.entry("query-api.cors-allowed-origins", ALLOWED),
                                Map.entry("query-api.cache-ttl", "2 s"),
                                Map.entry("sinks.influxdb.host", translator.url()),
                                Map.entry("sinks.influxdb.database", db),
                                Map.entry("sinks.influxdb.token-env", ""),
                                Map.entry("sinks.redis.port", String.valueOf(redisPort)),
                                Map.entry("sinks.redis.password-env", "")),
                        name -> null),
                name -> null);
    }

    @BeforeAll
    static void setUp() throws Exception {
        db = "it_q_" + UUID.randomUUID().toString().substring(0, 8);
        influxql("CREATE DATABASE " + db);
        translator = new InfluxTranslator(0, INFLUXDB);
        // Not created here: the API creates it, compacted, with one partition (checked below).
        controlTopic = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-control";

        // A real run of the detection engine over generated telemetry (the job's own code),
        // stored as the job's sinks store it.
        SampleData.Result data =
                SampleData.write(translator.url(), db, "127.0.0.1", 6379, Duration.ofMinutes(20));
        anomalies = data.anomalies();
        alerts = data.alerts();
        requests = data.requestsInRange();
        from = data.from();
        to = data.to();
        assertThat(anomalies).isNotEmpty();
        api = new QueryApi(config(6379)).start();
        base = "http://127.0.0.1:" + api.port();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (api != null) {
            api.close();
        }
        if (translator != null) {
            translator.close();
        }
        influxql("DROP DATABASE " + db);
    }

    static void influxql(String q) throws Exception {
        InfluxV1.query(INFLUXDB, "", q);
    }

    static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> authed(String pathAndQuery) throws Exception {
        return get(pathAndQuery, "Authorization", "Bearer " + TOKEN);
    }

    static JsonNode ok(String pathAndQuery) throws Exception {
        HttpResponse<String> r = authed(pathAndQuery);
        assertThat(r.statusCode()).as("%s: %s", pathAndQuery, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String range() {
        return "from=" + from + "&to=" + to;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void everyDocumentedRouteAnswers() throws Exception {
        JsonNode doc = ok("/openapi.json");
        List<String> paths = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).hasSizeGreaterThanOrEqualTo(10);
        for (String path : paths) {
            if (!doc.get("paths").get(path).has("get")) {
                continue; // write-only routes have tests of their own
            }
            String url =
                    path.replace("{id}", anomalies.get(0).anomalyId)
                            + (path.endsWith("recent-anomalies") || path.endsWith("baselines")
                                    ? "?service=support-bot"
                                    : "");
            HttpResponse<String> r = authed(url);
            assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        }
    }

    @Test
    void anomaliesPageNewestFirstWithoutGapsOrRepeats() throws Exception {
        Set<String> expected = new HashSet<>();
        anomalies.stream()
                .filter(a -> a.service.equals("support-bot"))
                .forEach(a -> expected.add(a.anomalyId));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        Instant previous = Instant.MAX;
        int pages = 0;
        do {
            JsonNode page =
                    ok(
                            "/api/v1/anomalies?service=support-bot&limit=7&"
                                    + range()
                                    + (cursor == null ? "" : "&cursor=" + cursor));
            for (JsonNode a : page.get("items")) {
                Instant t = Instant.parse(a.get("event_time").asText());
                assertThat(t).isBeforeOrEqualTo(previous);
                previous = t;
                seen.add(a.get("anomaly_id").asText());
                assertThat(a.get("service").asText()).isEqualTo("support-bot");
            }
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 1000);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(expected);
        assertThat(pages).isGreaterThan(1);
    }

    @Test
    void filtersNarrowTheAnswer() throws Exception {
        JsonNode spikes =
                ok("/api/v1/anomalies?type=latency_spike&metric=latency_ms&limit=1000&" + range());
        assertThat(spikes.get("items")).isNotEmpty();
        spikes.get("items")
                .forEach(
                        a -> {
                            assertThat(a.get("anomaly_type").asText()).isEqualTo("latency_spike");
                            assertThat(a.get("metric").asText()).isEqualTo("latency_ms");
                        });
        JsonNode high = ok("/api/v1/anomalies?severity=high&limit=1000&" + range());
        high.get("items")
                .forEach(a -> assertThat(a.get("severity").asText()).isIn("high", "critical"));
        long expectedHigh =
                anomalies.stream().filter(a -> a.severity.matches("high|critical")).count();
        assertThat(high.get("items").size()).isEqualTo((int) Math.min(1000, expectedHigh));
        JsonNode cusum = ok("/api/v1/anomalies?detector=cusum&limit=1000&" + range());
        cusum.get("items")
                .forEach(a -> assertThat(a.get("detectors").toString()).contains("\"cusum\""));
    }

    @Test
    void oneAnomalyById() throws Exception {
        Anomaly a = anomalies.get(anomalies.size() / 2);
        JsonNode got = ok("/api/v1/anomalies/" + a.anomalyId);
        assertThat(got.get("anomaly_id").asText()).isEqualTo(a.anomalyId);
        assertThat(got.get("value").asDouble()).isEqualTo(a.value);
        assertThat(authed("/api/v1/anomalies/" + "0".repeat(32)).statusCode()).isEqualTo(404);
        HttpResponse<String> bad = authed("/api/v1/anomalies/not-an-id");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(bad.body()).get("parameter").asText()).isEqualTo("id");
    }

    @Test
    void telemetryRawAndAggregated() throws Exception {
        JsonNode raw = ok("/api/v1/telemetry?service=support-bot&limit=50&" + range());
        assertThat(raw.get("items")).hasSize(50);
        assertThat(raw.get("items").get(0).get("latency_ms").asDouble()).isPositive();
        JsonNode perMinute = ok("/api/v1/telemetry?interval=1m&" + range());
        long total = 0;
        for (JsonNode b : perMinute.get("items")) {
            total += b.get("requests").asLong();
        }
        assertThat(total).isEqualTo(requests);
        assertThat(perMinute.get("items").size()).isBetween(20, 21);
        HttpResponse<String> bad = authed("/api/v1/telemetry?interval=7m");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("parameter").asText()).isEqualTo("interval");
    }

    @Test
    void liveBaselinesRecentAnomaliesAndServicesFromRedis() throws Exception {
        JsonNode b = ok("/api/v1/baselines?service=support-bot&metric=latency_ms");
        assertThat(b.get("items")).isNotEmpty();
        JsonNode first = b.get("items").get(0);
        assertThat(first.get("metric").asText()).isEqualTo("latency_ms");
        assertThat(first.get("median").asDouble()).isPositive();
        assertThat(first.get("samples").asDouble()).isGreaterThanOrEqualTo(20);
        JsonNode recent = ok("/api/v1/recent-anomalies?service=support-bot&limit=100");
        Set<String> ours = new HashSet<>();
        anomalies.forEach(a -> ours.add(a.anomalyId));
        assertThat(recent.get("items")).isNotEmpty();
        assertThat(ours).contains(recent.get("items").get(0).get("anomaly_id").asText());
        JsonNode services = ok("/api/v1/services");
        assertThat(services.get("source").asText()).isEqualTo("redis");
        assertThat(services.get("items").toString()).contains("support-bot");
        assertThat(authed("/api/v1/baselines").statusCode()).isEqualTo(400);
    }

    static final List<String> INJECTIONS =
            List.of(
                    "x' OR '1'='1",
                    "support-bot\" OR \"1\"=\"1",
                    "a; DROP MEASUREMENT anomalies",
                    "x'; DROP DATABASE it --",
                    "support-bot' OR time > 0 --",
                    "/.*/",
                    "x\\' OR 1=1",
                    "SELECT * FROM llm_requests",
                    "$service",
                    "ünïcödé-服务-🚀",
                    "\u0000",
                    "support-bot\nOR 1=1");

    @Test
    void injectionAttemptsInEveryFilterGetA400OrNothing() throws Exception {
        int before = ok("/api/v1/anomalies?limit=1000&" + range()).get("items").size();
        List<String> params = new ArrayList<>(QueryRoutes.ANOMALY_FILTERS);
        params.addAll(List.of("from", "to", "limit", "cursor"));
        for (String param : params) {
            for (String payload : INJECTIONS) {
                String url = "/api/v1/anomalies?" + param + "=" + enc(payload);
                HttpResponse<String> r = authed(url);
                assertThat(r.statusCode()).as("%s=%s: %s", param, payload, r.body()).isIn(200, 400);
                if (r.statusCode() == 200) {
                    assertThat(JSON.readTree(r.body()).get("items"))
                            .as("%s=%s returns nothing", param, payload)
                            .isEmpty();
                } else {
                    assertThat(JSON.readTree(r.body()).get("parameter").asText()).isEqualTo(param);
                }
            }
        }
        for (String payload : INJECTIONS) {
            for (String url :
                    List.of(
                            "/api/v1/telemetry?service=" + enc(payload),
                            "/api/v1/telemetry?interval=" + enc(payload),
                            "/api/v1/baselines?service=" + enc(payload),
                            "/api/v1/recent-anomalies?service=" + enc(payload))) {
                HttpResponse<String> r = authed(url);
                assertThat(r.statusCode()).as("%s: %s", url, r.body()).isIn(200, 400);
                if (r.statusCode() == 200) {
                    assertThat(JSON.readTree(r.body()).get("items")).as(url).isEmpty();
                }
            }
        }
        assertThat(ok("/api/v1/anomalies?limit=1000&" + range()).get("items").size())
                .as("nothing was dropped")
                .isEqualTo(before);
    }

    @Test
    void tokensMissingWrongAndRight() throws Exception {
        HttpResponse<String> none = get("/api/v1/services");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).isPresent();
        assertThat(none.body()).doesNotContain("Exception").doesNotContain("at io.");
        assertThat(get("/api/v1/services", "Authorization", "Bearer wrong").statusCode())
                .isEqualTo(401);
        assertThat(get("/metrics", "Authorization", "Basic " + TOKEN).statusCode()).isEqualTo(401);
        assertThat(authed("/api/v1/services").statusCode()).isEqualTo(200);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void corsPreflightFromAnAllowedAndAForeignOrigin() throws Exception {
        HttpResponse<String> allowed = preflight(ALLOWED);
        assertThat(allowed.statusCode()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue(ALLOWED);
        assertThat(allowed.headers().firstValue("access-control-allow-headers").orElse(""))
                .containsIgnoringCase("authorization");
        HttpResponse<String> foreign = preflight("https://evil.example.net");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("access-control-allow-origin")).isEmpty();
        HttpResponse<String> call =
                get("/api/v1/services", "Authorization", "Bearer " + TOKEN, "Origin", ALLOWED);
        assertThat(call.headers().firstValue("access-control-allow-origin")).hasValue(ALLOWED);
        HttpResponse<String> foreignCall =
                get(
                        "/api/v1/services",
                        "Authorization",
                        "Bearer " + TOKEN,
                        "Origin",
                        "https://evil.example.net");
        assertThat(foreignCall.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    private static HttpResponse<String> preflight(String origin) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/anomalies"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", origin)
                        .header("Access-Control-Request-Method", "GET")
                        .header("Access-Control-Request-Headers", "authorization")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void oversizedRequestsAreRefused() throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/services"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .header("Content-Type", "application/json")
                                .method(
                                        "GET",
                                        HttpRequest.BodyPublishers.ofString("x".repeat(100_000)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isIn(413, 400);
        HttpResponse<String> longUrl = authed("/api/v1/anomalies?service=" + "a".repeat(20_000));
        assertThat(longUrl.statusCode()).isBetween(400, 499);
    }

    @Test
    void repeatedQueriesAreServedFromTheCacheAndCounted() throws Exception {
        String q = "/api/v1/anomalies?service=doc-indexer&limit=3&" + range();
        String first = authed(q).body();
        String second = authed(q).body();
        assertThat(second).isEqualTo(first);
        String metrics = authed("/metrics").body();
        assertThat(metrics)
                .containsPattern(
                        "sentinel_query_api_cache_requests_total\\{layer=\"caffeine\",result=\"hit\"\\} [1-9]");
        assertThat(metrics).contains("layer=\"redis\"");
    }

    @Test
    void withRedisDownTheServiceStillAnswersFromInfluxDb() throws Exception {
        try (QueryApi noRedis = new QueryApi(config(1)).start()) {
            String b = "http://127.0.0.1:" + noRedis.port();
            HttpResponse<String> services =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(b + "/api/v1/services"))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(services.statusCode()).isEqualTo(200);
            JsonNode s = JSON.readTree(services.body());
            assertThat(s.get("source").asText()).isEqualTo("influxdb");
            assertThat(s.get("items").toString()).contains("support-bot");
            HttpResponse<String> page =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create(b + "/api/v1/anomalies?limit=5&" + range()))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(page.body()).get("items")).hasSize(5);
            HttpResponse<String> ready =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(b + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(ready.body()).get("redis").asText()).isEqualTo("down");
        }
    }

    @Test
    void theDashboardShowsTheAnomaliesInHeadlessChromium() throws Exception {
        Path dir = Path.of("target/screenshots");
        Files.createDirectories(dir);
        // Something silenced and an alert acknowledged, as a person does from the page's forms
        // (the page's buttons call these same routes).
        HttpResponse<String> silenced =
                send(
                        "POST",
                        "/api/v1/silences",
                        ADMIN,
                        "{\"author\":\"ana\",\"match\":{\"service\":\"search-summarizer\"},\"until\":\""
                                + Instant.now().plus(Duration.ofHours(2))
                                + "\",\"reason\":\"a load test\"}");
        assertThat(silenced.statusCode()).as(silenced.body()).isEqualTo(202);
        String silenceId = JSON.readTree(silenced.body()).get("id").asText();
        String acked = alerts.get(alerts.size() - 1).alertId;
        assertThat(send("POST", "/api/v1/anomalies/" + acked + "/ack", TOKEN, null).statusCode())
                .isEqualTo(202);
        String url = base + "/#token=" + TOKEN;
        // The DOM after the page's scripts ran: the anomaly rows it drew from the API.
        List<String> flags =
                List.of(
                        "--window-size=1400,1000",
                        "--virtual-time-budget=15000",
                        "--timeout=30000");
        String dom =
                HeadlessChromium.run(
                        dir,
                        "--dump-dom",
                        url,
                        flags,
                        3,
                        60,
                        out -> out.contains("data-loaded=\"true\""));
        assertThat(dom).contains("data-loaded=\"true\"");
        Set<String> ids = new HashSet<>();
        anomalies.forEach(a -> ids.add(a.anomalyId));
        long shown =
                java.util.regex.Pattern.compile("data-anomaly-id=\"([0-9a-f]{32})\"")
                        .matcher(dom)
                        .results()
                        .map(m -> m.group(1))
                        .filter(ids::contains)
                        .count();
        assertThat(shown).as("anomaly rows on the page").isGreaterThan(0);
        assertThat(dom).contains("<svg").contains("support-bot");
        assertThat(dom)
                .as("the silence in force")
                .contains("data-silence-id=\"" + silenceId + "\"");
        assertThat(dom)
                .as("the acknowledged alert")
                .containsPattern(
                        "data-alert-id=\"" + acked + "\"[^>]*data-acknowledged=\"it-reader\"");
        Set<String> states = new HashSet<>();
        ok("/api/v1/alerts").get("items").forEach(a -> states.add(a.get("state").asText()));
        assertThat(states).isNotEmpty();
        for (String state : states) {
            assertThat(dom)
                    .as("alerts shown as %s", state)
                    .contains("data-state=\"" + state + "\"");
        }

        Path png = dir.resolve("query-api-dashboard.png");
        Files.deleteIfExists(png);
        HeadlessChromium.run(
                dir,
                "--screenshot=" + png.toAbsolutePath(),
                url,
                flags,
                3,
                60,
                out -> Files.exists(png));
        assertThat(png).exists();
        assertThat(Files.size(png)).as("a rendered page").isGreaterThan(20_000);
    }

    static HttpResponse<String> send(String method, String path, String token, String json)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                json == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Silences, maintenance windows and rules go through the control topic (real Kafka), only with
     * an admin token, validated as the job validates them, authored by the token's name; GET
     * answers what the topic put in force.
     */
    @Test
    void silencesAndRulesGoThroughTheControlTopicOnlyWithAnAdminToken() throws Exception {
        String until = Instant.now().plus(Duration.ofHours(1)).toString();
        String silence =
                "{\"author\":\"ana\",\"match\":{\"service\":\"rag-api\"},\"until\":\""
                        + until
                        + "\",\"reason\":\"provider incident\"}";
        assertThat(send("POST", "/api/v1/silences", TOKEN, silence).statusCode()).isEqualTo(403);
        HttpResponse<String> created = send("POST", "/api/v1/silences", ADMIN, silence);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonNode command = JSON.readTree(created.body());
        String id = command.get("id").asText();
        // The token's name is the author; the author the body named is kept beside it, only.
        assertThat(command.get("author").asText()).isEqualTo("it-admin");
        assertThat(command.get("on_behalf_of").asText()).isEqualTo("ana");
        assertThat(ok("/api/v1/silences").get("items"))
                .anySatisfy(
                        c -> {
                            assertThat(c.get("id").asText()).isEqualTo(id);
                            assertThat(c.get("author").asText()).isEqualTo("it-admin");
                        });

        HttpResponse<String> bad =
                send(
                        "POST",
                        "/api/v1/silences",
                        ADMIN,
                        "{\"match\":{\"metric\":\"latency\"},\"until\":\"" + until + "\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown metric 'latency'");
        // Every free-text field is bounded, and no field the command does not know is kept.
        assertProblem(
                send(
                        "POST",
                        "/api/v1/silences",
                        ADMIN,
                        "{\"match\":{\"service\":\"rag-api\"},\"until\":\""
                                + until
                                + "\",\"reason\":\""
                                + "r".repeat(401)
                                + "\"}"),
                400,
                "reason");
        assertProblem(
                send(
                        "POST",
                        "/api/v1/silences",
                        ADMIN,
                        "{\"match\":{\"service\":\"rag-api\"},\"until\":\""
                                + until
                                + "\",\"padding\":\"x\"}"),
                400,
                "padding");
        assertProblem(
                send(
                        "POST",
                        "/api/v1/silences",
                        ADMIN,
                        "{\"match\":{\"service\":\""
                                + "s".repeat(201)
                                + "\"},\"until\":\""
                                + until
                                + "\"}"),
                400,
                "match.service");

        HttpResponse<String> rule =
                send(
                        "PUT",
                        "/api/v1/rules/batch-low",
                        ADMIN,
                        "{\"match\":{\"service\":\"doc-indexer\"},\"settings\":{\"sensitivity\":\"low\"}}");
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(202);
        assertThat(JSON.readTree(rule.body()).has("on_behalf_of")).isFalse();
        assertThat(ok("/api/v1/rules").get("items"))
                .anySatisfy(c -> assertThat(c.get("id").asText()).isEqualTo("batch-low"));

        HttpResponse<String> lifted =
                send("DELETE", "/api/v1/silences/" + id + "?author=bo", ADMIN, null);
        assertThat(lifted.statusCode()).as(lifted.body()).isEqualTo(202);
        assertThat(JSON.readTree(lifted.body()).get("author").asText()).isEqualTo("it-admin");
        assertThat(JSON.readTree(lifted.body()).get("on_behalf_of").asText()).isEqualTo("bo");
        assertThat(ok("/api/v1/silences").get("items"))
                .noneSatisfy(c -> assertThat(c.get("id").asText()).isEqualTo(id));
        assertThat(send("DELETE", "/api/v1/silences/" + id, ADMIN, null).statusCode())
                .isEqualTo(404);
        // A lift's id is the API's own (its topic key must never be another command's).
        assertProblem(
                send("DELETE", "/api/v1/rules/batch-low", ADMIN, "{\"id\":\"batch-low\"}"),
                400,
                "id");
        assertThat(send("DELETE", "/api/v1/rules/batch-low", ADMIN, null).statusCode())
                .isEqualTo(202);

        // On the topic, in order, as the job reads them, each keyed by its kind and id.
        List<String> types = new ArrayList<>();
        for (var r : KafkaTestBroker.readAll(controlTopic)) {
            JsonNode c = JSON.readTree(r.value());
            types.add(c.get("type").asText());
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(c.get("type").asText() + ":" + c.get("id").asText());
        }
        assertThat(types).containsSubsequence("silence", "rule", "unsilence", "delete_rule");
    }

    /** The API creates the control topic it needs: one partition, compacted, never by age. */
    @Test
    void theControlTopicIsCreatedCompactedWithOnePartition() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", KafkaTestBroker.bootstrap());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            long deadline = System.currentTimeMillis() + 20_000;
            while (!admin.listTopics().names().get().contains(controlTopic)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            var description =
                    admin.describeTopics(List.of(controlTopic))
                            .allTopicNames()
                            .get()
                            .get(controlTopic);
            assertThat(description.partitions()).hasSize(1);
            var resource =
                    new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, controlTopic);
            var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    /**
     * Acknowledgement and feedback: stored once in InfluxDB, authored by the token's name, shown
     * with alerts, never on the control topic.
     */
    @Test
    void acknowledgementAndFeedbackAreStoredOnceAndShown() throws Exception {
        assertThat(alerts).isNotEmpty();
        String alertId = alerts.get(0).alertId;
        String ack = "{\"author\":\"ana\",\"note\":\"" + "n".repeat(400) + "\"}";
        for (int i = 0; i < 2; i++) { // the same twice: one point
            HttpResponse<String> r =
                    send("POST", "/api/v1/anomalies/" + alertId + "/ack", TOKEN, ack);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(JSON.readTree(r.body()).get("author").asText()).isEqualTo("it-reader");
        }
        assertProblem(
                send(
                        "POST",
                        "/api/v1/anomalies/" + alertId + "/ack",
                        TOKEN,
                        "{\"note\":\"" + "n".repeat(401) + "\"}"),
                400,
                "note");
        assertProblem(
                send(
                        "POST",
                        "/api/v1/anomalies/" + alertId + "/ack",
                        TOKEN,
                        "{\"author\":\"" + "a".repeat(129) + "\"}"),
                400,
                "author");
        HttpResponse<String> label =
                send(
                        "POST",
                        "/api/v1/anomalies/" + alertId + "/feedback",
                        BARE,
                        "{\"label\":\"false_positive\"}");
        assertThat(label.statusCode()).as(label.body()).isEqualTo(202);
        String bareName =
                "token-" + HexFormat.of().formatHex(BearerTokens.sha256(BARE)).substring(0, 8);
        assertThat(JSON.readTree(label.body()).get("author").asText()).isEqualTo(bareName);
        assertProblem(
                send(
                        "POST",
                        "/api/v1/anomalies/" + alertId + "/feedback",
                        TOKEN,
                        "{\"label\":\"meh\"}"),
                400,
                "label");
        assertThat(
                        send("POST", "/api/v1/anomalies/" + "0".repeat(32) + "/ack", TOKEN, null)
                                .statusCode())
                .isEqualTo(404);

        JsonNode stored =
                InfluxV1.query(
                        INFLUXDB,
                        db,
                        "SELECT anomaly_id, kind, label, author, on_behalf_of FROM alert_labels"
                                + " WHERE anomaly_id = '"
                                + alertId
                                + "'");
        JsonNode values = stored.path("results").path(0).path("series").path(0).path("values");
        assertThat(values.size()).as("one ack and one label point: %s", stored).isEqualTo(2);

        JsonNode shown = null;
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline) {
            for (JsonNode a : ok("/api/v1/alerts?" + range()).get("items")) {
                if (a.get("alert_id").asText().equals(alertId) && a.has("label")) {
                    shown = a;
                }
            }
            if (shown != null) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(shown).as("the alert with its acknowledgement and label").isNotNull();
        assertThat(shown.get("acknowledged").get("by").asText()).isEqualTo("it-reader");
        assertThat(shown.get("acknowledged").get("on_behalf_of").asText()).isEqualTo("ana");
        assertThat(shown.get("acknowledged").get("at").asText()).isNotBlank();
        assertThat(shown.get("label").asText()).isEqualTo("false_positive");
        assertThat(shown.get("labelled_by").asText()).isEqualTo(bareName);

        JsonNode precision = ok("/api/v1/labels").get("items");
        assertThat(precision)
                .anySatisfy(
                        p -> {
                            assertThat(p.get("service").asText()).isEqualTo(alerts.get(0).service);
                            assertThat(p.get("false_positives").asLong()).isEqualTo(1);
                            assertThat(p.get("precision").asDouble()).isEqualTo(0.0);
                        });
        assertThat(authed("/metrics").body()).contains("sentinel_labelled_precision{service=");

        // Nothing of it went to the control topic: the job neither keeps nor counts labels.
        for (var r : KafkaTestBroker.readAll(controlTopic)) {
            assertThat(JSON.readTree(r.value()).get("type").asText()).isNotIn("ack", "feedback");
        }
    }

    static void assertProblem(HttpResponse<String> r, int status, String parameter)
            throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(r.body()).path("parameter").asText())
                .as(r.body())
                .isEqualTo(parameter);
    }
}
