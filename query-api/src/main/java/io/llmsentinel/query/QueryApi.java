package io.llmsentinel.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP service: routes, bearer-token auth, CORS, problem details, caching, metrics. Every route
 * is in {@code openapi.json}, and a test calls each documented route.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM = "application/problem+json";

    /** Paths anyone may read: health, the dashboard's own files. */
    private static final List<String> OPEN =
            List.of("/health/live", "/health/ready", "/", "/index.html", "/app.js", "/app.css");

    private final QueryApiConfig config;
    private final InfluxQueries influx;
    private final RedisView redis;
    private final QueryCache cache;
    private final ApiMetrics metrics = new ApiMetrics();
    private final List<byte[]> tokenHashes;
    private final List<byte[]> adminTokenHashes;
    private final ControlClient control;
    private final ExecutorService checks =
            Executors.newCachedThreadPool(r -> daemon(r, "ready-check"));
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Javalin app;
    private final String openapi;

    public QueryApi(QueryApiConfig config) throws IOException {
        this.config = config;
        this.influx = new InfluxQueries(config);
        this.redis = new RedisView(config);
        this.cache =
                new QueryCache(
                        config.cacheTtl(),
                        redis,
                        metrics,
                        config.influxHost() + "/" + config.influxDatabase());
        this.tokenHashes =
                config.tokenHashes().stream()
                        .map(h -> HexFormat.of().parseHex(h.toLowerCase()))
                        .toList();
        this.adminTokenHashes =
                config.adminTokenHashes().stream()
                        .map(h -> HexFormat.of().parseHex(h.toLowerCase()))
                        .toList();
        this.control =
                config.controlEnabled()
                        ? new ControlClient(
                                config.kafkaBootstrapServers(),
                                config.kafkaProperties(),
                                config.controlTopic())
                        : null;
        try (InputStream in = QueryApi.class.getResourceAsStream("/openapi.json")) {
            this.openapi = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        this.app =
                Javalin.create(
                        cfg -> {
                            cfg.showJavalinBanner = false;
                            cfg.http.maxRequestSize = config.maxRequestBytes();
                            cfg.staticFiles.add(
                                    sf -> {
                                        sf.hostedPath = "/";
                                        sf.directory = "/public";
                                        sf.location = Location.CLASSPATH;
                                    });
                        });
        routes();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public QueryApi start() {
        app.start(config.bind(), config.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    private void routes() {
        app.before(this::corsAndAuth);
        app.after(
                ctx -> {
                    Long start = ctx.attribute("start");
                    if (start != null) {
                        String route = ctx.endpointHandlerPath();
                        metrics.request(
                                route == null || route.isEmpty() ? "other" : route,
                                ctx.statusCode(),
                                (System.nanoTime() - start) / 1000);
                    }
                });
        app.options("/*", ctx -> ctx.status(204));

        app.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
        app.get("/health/ready", this::ready);
        app.get(
                "/metrics",
                ctx ->
                        ctx.contentType("text/plain; version=0.0.4")
                                .result(metrics.prometheus() + labelledPrecisionMetrics()));
        app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));

        app.get("/api/v1/anomalies", this::anomalies);
        app.get("/api/v1/anomalies/{id}", this::anomaly);
        app.get("/api/v1/recent-anomalies", this::recentAnomalies);
        app.get("/api/v1/telemetry", this::telemetry);
        app.get("/api/v1/baselines", this::baselines);
        app.get("/api/v1/services", this::services);

        // What is in force (any token) and changing it (admin tokens): the control topic.
        app.get("/api/v1/silences", this::silences);
        app.post("/api/v1/silences", this::createSilence);
        app.delete("/api/v1/silences/{id}", this::deleteSilence);
        app.get("/api/v1/rules", this::rules);
        app.put("/api/v1/rules/{id}", this::putRule);
        app.delete("/api/v1/rules/{id}", this::deleteRule);
        // Acknowledgement and feedback (any token): InfluxDB and the control topic.
        app.post("/api/v1/anomalies/{id}/ack", this::ack);
        app.post("/api/v1/anomalies/{id}/feedback", this::feedback);
        app.get("/api/v1/labels", this::labels);
        app.get("/api/v1/alerts", this::alerts);

        app.exception(Problem.class, (e, ctx) -> problem(ctx, e));
        app.exception(
                RedisView.Unavailable.class,
                (e, ctx) -> {
                    metrics.backendError("redis");
                    problem(ctx, new Problem(503, "Redis unavailable", e.getMessage(), null));
                });
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    // Logged here with its cause; the client gets no stack trace and no detail.
                    LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.toString());
                    metrics.backendError(
                            e.getClass().getName().contains("flight") ? "influxdb" : "other");
                    problem(
                            ctx,
                            new Problem(
                                    502,
                                    "Backend error",
                                    "the query could not be answered; try again",
                                    null));
                });
        app.error(
                404,
                ctx -> {
                    if (!PROBLEM.equals(ctx.res().getContentType())) {
                        problem(ctx, Problem.notFound("no such resource: " + ctx.path()));
                    }
                });
        app.error(
                413,
                ctx ->
                        problem(
                                ctx,
                                new Problem(
                                        413,
                                        "Request too large",
                                        "requests are limited to "
                                                + config.maxRequestBytes()
                                                + " bytes",
                                        null)));
    }

    private void problem(Context ctx, Problem p) {
        ctx.status(p.status()).contentType(PROBLEM);
        try {
            ctx.result(JSON.writeValueAsString(p.body(ctx.path())));
        } catch (IOException e) {
            ctx.result("{\"status\":" + p.status() + "}");
        }
    }

    // ------------------------------------------------------------------ CORS and auth

    private void corsAndAuth(Context ctx) {
        ctx.attribute("start", System.nanoTime());
        // Javalin enforces its limit only where a body is read; no route here reads one.
        if (ctx.contentLength() > config.maxRequestBytes()
                || (ctx.contentLength() < 0 && ctx.header("Transfer-Encoding") != null)) {
            throw new Problem(
                    413,
                    "Request too large",
                    "requests are limited to " + config.maxRequestBytes() + " bytes",
                    null);
        }
        String origin = ctx.header("Origin");
        boolean allowed = origin != null && config.corsAllowedOrigins().contains(origin);
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        }
        if (ctx.method() == HandlerType.OPTIONS) {
            if (!allowed) {
                throw new Problem(
                        403, "Origin not allowed", "this origin may not call the API", null);
            }
            ctx.header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            ctx.header("Access-Control-Max-Age", "600");
            return;
        }
        if (OPEN.contains(ctx.path())) {
            return;
        }
        String auth = ctx.header("Authorization");
        boolean bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7);
        boolean admin = bearer && tokenIn(auth.substring(7).trim(), adminTokenHashes);
        ctx.attribute("admin", admin);
        if (!bearer || !(admin || tokenOk(auth.substring(7).trim()))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"llm-sentinel\"");
            throw new Problem(
                    401,
                    "Unauthorized",
                    auth == null ? "a bearer token is required" : "the bearer token is not valid",
                    null);
        }
    }

    /** The token's SHA-256 against each configured hash, in constant time; all are compared. */
    private boolean tokenOk(String token) {
        return tokenIn(token, tokenHashes);
    }

    private static boolean tokenIn(String token, List<byte[]> hashes) {
        byte[] h = sha256(token);
        boolean ok = false;
        for (byte[] expected : hashes) {
            ok |= MessageDigest.isEqual(h, expected);
        }
        return ok;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ health

    private volatile Map<String, Object> lastReady;
    private volatile long lastReadyAtMs;

    private void ready(Context ctx) {
        Map<String, Object> r = lastReady;
        if (r == null || System.currentTimeMillis() - lastReadyAtMs > 1000) {
            CompletableFuture<Boolean> i = CompletableFuture.supplyAsync(this::influxUp, checks);
            CompletableFuture<Boolean> d = CompletableFuture.supplyAsync(redis::ping, checks);
            boolean influxOk = within(i);
            boolean redisOk = within(d);
            r = new LinkedHashMap<>();
            r.put("status", influxOk && redisOk ? "ready" : "not ready");
            r.put("influxdb", influxOk ? "up" : "down");
            r.put("redis", redisOk ? "up" : "down");
            lastReady = r;
            lastReadyAtMs = System.currentTimeMillis();
        }
        ctx.status("ready".equals(r.get("status")) ? 200 : 503).json(r);
    }

    /** A check's answer, or false after two seconds: a request thread never waits longer. */
    private static boolean within(CompletableFuture<Boolean> check) {
        try {
            return check.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            check.cancel(true);
            return false;
        }
    }

    private boolean influxUp() {
        try {
            HttpRequest req =
                    HttpRequest.newBuilder(
                                    URI.create(
                                            config.influxHost().replaceAll("/+$", "") + "/health"))
                            .timeout(Duration.ofMillis(1500))
                            .GET()
                            .build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
        } catch (Exception e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ API

    /** Answers with the cached JSON of {@code key}, or with {@code load}'s, cached. */
    private void cachedJson(Context ctx, String key, Supplier<Object> load) {
        ctx.contentType("application/json").result(cache.get(key, () -> write(load.get())));
    }

    /** The filters of /api/v1/anomalies, besides from, to, limit and cursor. */
    public static final List<String> ANOMALY_FILTERS =
            List.of("service", "model", "provider", "metric", "severity", "type", "detector");

    private void anomalies(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        List<String> allowed = new ArrayList<>(ANOMALY_FILTERS);
        allowed.addAll(List.of("from", "to", "limit", "cursor"));
        p.allowOnly(allowed);
        Instant[] range = p.range(now());
        InfluxQueries.AnomalyFilter f =
                new InfluxQueries.AnomalyFilter(
                        range[0],
                        range[1],
                        p.name("service"),
                        p.name("model"),
                        p.name("provider"),
                        p.oneOf("metric", Params.METRICS),
                        p.oneOf("severity", Params.SEVERITIES),
                        p.oneOf("type", Params.TYPES),
                        p.oneOf("detector", Params.DETECTORS));
        int limit = p.limit(100, 1000);
        String cursor = p.one("cursor");
        if (cursor != null) {
            InfluxQueries.decodeCursor(cursor); // a 400 before any query
        }
        // Time defaults move with the clock: cache by the resolved range, not the raw input.
        String key = "anomalies " + p.normalized() + " " + range[0] + " " + range[1];
        cachedJson(
                ctx,
                key,
                () -> {
                    InfluxQueries.Page page = influx.anomalies(f, limit, cursor);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("items", page.items());
                    body.put("next_cursor", page.nextCursor());
                    return body;
                });
    }

    private void anomaly(Context ctx) {
        String id = ctx.pathParam("id");
        Params.checkId(id);
        Map<String, Object> a = influx.anomaly(id);
        if (a == null) {
            throw Problem.notFound("no anomaly with id " + id);
        }
        ctx.json(a);
    }

    private void recentAnomalies(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("service", "limit"));
        String service = required(p.name("service"), "service");
        int limit = p.limit(50, 100);
        ctx.json(Map.of("service", service, "items", redis.recentAnomalies(service, limit)));
    }

    private void telemetry(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("service", "model", "from", "to", "interval", "limit"));
        Instant[] range = p.range(now());
        String service = p.name("service");
        String model = p.name("model");
        String interval = p.one("interval");
        // Time defaults move with the clock: cache by the resolved range, not the raw input.
        String key = "telemetry " + p.normalized() + " " + range[0] + " " + range[1];
        if (interval == null) {
            int limit = p.limit(100, 1000);
            cachedJson(
                    ctx,
                    key,
                    () ->
                            Map.of(
                                    "items",
                                    influx.requests(range[0], range[1], service, model, limit)));
            return;
        }
        if (!InfluxQueries.INTERVALS.containsKey(interval)) {
            throw Problem.badParameter("interval", "'interval' must be one of 1m, 5m, 1h");
        }
        if (p.one("limit") != null) {
            throw Problem.badParameter("limit", "'limit' applies to raw telemetry only");
        }
        long buckets =
                Duration.between(range[0], range[1]).toMinutes()
                        / switch (interval) {
                            case "1m" -> 1;
                            case "5m" -> 5;
                            default -> 60;
                        };
        if (buckets > 10_000) {
            throw Problem.badParameter("interval", "at most 10,000 intervals per query; widen it");
        }
        cachedJson(
                ctx,
                key,
                () ->
                        Map.of(
                                "interval",
                                interval,
                                "items",
                                influx.aggregated(range[0], range[1], service, model, interval)));
    }

    private void baselines(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("service", "model", "metric"));
        String service = required(p.name("service"), "service");
        String model = p.name("model");
        String metric = p.oneOf("metric", Params.METRICS);
        ctx.json(Map.of("service", service, "items", redis.baselines(service, model, metric)));
    }

    private void services(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        List<String> services;
        String source;
        try {
            services = redis.services();
            source = "redis";
        } catch (RedisView.Unavailable e) {
            metrics.backendError("redis");
            services = influx.services();
            source = "influxdb";
        }
        ctx.json(Map.of("items", services, "source", source));
    }

    /**
     * "Now" for a default time range, in steps of the cache TTL: requests within one step share a
     * range, so they share cached answers; the answer is at most one TTL old, as any cached one.
     */
    private Instant now() {
        long step = Math.max(1, config.cacheTtl().toMillis());
        long t = System.currentTimeMillis();
        return Instant.ofEpochMilli(t - t % step + step);
    }

    private static String required(String value, String param) {
        if (value == null) {
            throw Problem.badParameter(param, "'" + param + "' is required");
        }
        return value;
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ control

    private ControlClient control() {
        if (control == null) {
            throw new Problem(
                    503,
                    "Control topic off",
                    "control.enabled is false: nothing can be changed",
                    null);
        }
        return control;
    }

    private static void requireAdmin(Context ctx) {
        if (!Boolean.TRUE.equals(ctx.attribute("admin"))) {
            throw new Problem(
                    403,
                    "Admin token required",
                    "changing silences, maintenance windows and rules needs an admin token"
                            + " (query-api.admin-token-hashes)",
                    null);
        }
    }

    private com.fasterxml.jackson.databind.node.ObjectNode body(Context ctx) {
        try {
            var n = JSON.readTree(ctx.body());
            if (n == null || !n.isObject()) {
                throw new Problem(400, "Bad request", "the body must be a JSON object", null);
            }
            return (com.fasterxml.jackson.databind.node.ObjectNode) n;
        } catch (IOException e) {
            throw new Problem(400, "Bad request", "the body is not JSON", null);
        }
    }

    /**
     * Completes a command (id, time, type), validates it as the job does, refuses what the job
     * would refuse, sends it, and answers 202 with the command once it is on the topic.
     */
    private void command(
            Context ctx,
            com.fasterxml.jackson.databind.node.ObjectNode n,
            String type,
            String id,
            int refusedStatus)
            throws Exception {
        n.put("type", type);
        if (!n.hasNonNull("id")) {
            n.put("id", id);
        }
        n.put("time", Instant.now().toString());
        io.llmsentinel.functions.control.ControlCommand c;
        try {
            c = io.llmsentinel.functions.control.ControlCommand.parse(JSON.writeValueAsBytes(n));
        } catch (io.llmsentinel.functions.control.ControlCommand.InvalidCommand e) {
            throw new Problem(400, "Invalid command", e.getMessage(), null);
        }
        String refusal = control().refusal(c);
        if (refusal != null) {
            throw new Problem(refusedStatus, "Refused", refusal, null);
        }
        control().send(c);
        control().awaitApplied(c.id, 2_000);
        ctx.status(202).contentType("application/json").result(c.json);
    }

    /**
     * The command of a DELETE: its body if it has one, the author from the body or the {@code
     * author} query parameter, else recorded as the admin token's.
     */
    private com.fasterxml.jackson.databind.node.ObjectNode deletion(Context ctx) throws Exception {
        var n = ctx.body().isBlank() ? JSON.createObjectNode() : body(ctx);
        if (!n.hasNonNull("author")) {
            String author = ctx.queryParam("author");
            n.put("author", author == null || author.isBlank() ? "query-api admin token" : author);
        }
        return n;
    }

    private static String newId(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    private void silences(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        var state = control().state();
        long now = System.currentTimeMillis();
        List<Object> items = new ArrayList<>();
        for (var c : state.silences(now)) {
            items.add(readJson(c.json));
        }
        for (var c : state.maintenances(now)) {
            items.add(readJson(c.json));
        }
        ctx.json(Map.of("items", items));
    }

    /** A silence, or with {"type": "maintenance"} a maintenance window. */
    private void createSilence(Context ctx) throws Exception {
        requireAdmin(ctx);
        var n = body(ctx);
        String type =
                n.has("type") && n.get("type").asText().equals("maintenance")
                        ? "maintenance"
                        : "silence";
        command(ctx, n, type, newId(type.equals("silence") ? "s" : "m"), 409);
    }

    private void deleteSilence(Context ctx) throws Exception {
        requireAdmin(ctx);
        String id = ctx.pathParam("id");
        Params.checkCommandId(id);
        var state = control().state();
        long now = System.currentTimeMillis();
        boolean maintenance = state.maintenances(now).stream().anyMatch(c -> c.id.equals(id));
        boolean silence = state.silences(now).stream().anyMatch(c -> c.id.equals(id));
        if (!maintenance && !silence) {
            throw Problem.notFound("no silence or maintenance window " + id + " is in force");
        }
        var n = deletion(ctx);
        n.put("target", id);
        command(ctx, n, maintenance ? "end_maintenance" : "unsilence", newId("u"), 404);
    }

    private void rules(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        List<Object> items = new ArrayList<>();
        for (var c : control().state().rules(System.currentTimeMillis())) {
            items.add(readJson(c.json));
        }
        ctx.json(Map.of("items", items));
    }

    private void putRule(Context ctx) throws Exception {
        requireAdmin(ctx);
        String id = ctx.pathParam("id");
        Params.checkCommandId(id);
        var n = body(ctx);
        n.put("id", id);
        command(ctx, n, "rule", id, 409);
    }

    private void deleteRule(Context ctx) throws Exception {
        requireAdmin(ctx);
        String id = ctx.pathParam("id");
        Params.checkCommandId(id);
        if (control().state().rules(System.currentTimeMillis()).stream()
                .noneMatch(c -> c.id.equals(id))) {
            throw Problem.notFound("no rule " + id + " is in force");
        }
        var n = deletion(ctx);
        n.put("target", id);
        command(ctx, n, "delete_rule", newId("d"), 404);
    }

    private void ack(Context ctx) throws Exception {
        label(ctx, "ack");
    }

    private void feedback(Context ctx) throws Exception {
        label(ctx, "feedback");
    }

    /**
     * An acknowledgement or a label of an anomaly (the id of an alert is its opening anomaly's):
     * stored in InfluxDB (the same point again for the same anomaly, so a repeat or a relabel
     * overwrites) and sent to the control topic (so the job counts it). Idempotent.
     */
    private void label(Context ctx, String kind) throws Exception {
        String id = ctx.pathParam("id");
        Params.checkId(id);
        var n = body(ctx);
        String author = n.path("author").asText("");
        if (author.isBlank() || author.length() > 128) {
            throw Problem.badParameter(
                    "author", "'author' is required (who acknowledges or labels)");
        }
        Map<String, Object> a = influx.anomaly(id);
        if (a == null) {
            throw Problem.notFound("no anomaly with id " + id);
        }
        var cmd = JSON.createObjectNode();
        cmd.put("author", author);
        cmd.put("target", id);
        if (n.hasNonNull("note")) {
            cmd.put("note", n.get("note").asText());
        }
        var match = cmd.putObject("match");
        for (String k : List.of("service", "model", "provider", "operation", "metric")) {
            if (a.get(k) != null) {
                match.put(k, String.valueOf(a.get(k)));
            }
        }
        String label = null;
        if (kind.equals("feedback")) {
            label = n.path("label").asText("");
            cmd.put("label", label);
        }
        String cmdId =
                kind
                        + "-"
                        + HexFormat.of()
                                .formatHex(sha256(id + "\u001f" + author + "\u001f" + label), 0, 8);
        cmd.put("id", cmdId);
        cmd.put("type", kind);
        cmd.put("time", Instant.now().toString());
        io.llmsentinel.functions.control.ControlCommand c;
        try {
            c = io.llmsentinel.functions.control.ControlCommand.parse(JSON.writeValueAsBytes(cmd));
        } catch (io.llmsentinel.functions.control.ControlCommand.InvalidCommand e) {
            throw new Problem(400, "Invalid " + kind, e.getMessage(), null);
        }
        influx.writeLabel(
                a, kind, author, label, n.hasNonNull("note") ? n.get("note").asText() : null);
        cache.invalidate("labels");
        labelMetricsAtMs = 0; // the next scrape reads the new counts
        control().send(c);
        ctx.status(202).contentType("application/json").result(c.json);
    }

    /** Open and resolved alerts of the range, each with its acknowledgement and label. */
    private void alerts(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("from", "to", "limit"));
        Instant[] range = p.range(now());
        int limit = p.limit(100, 1000);
        List<Map<String, Object>> items = influx.alerts(range[0], range[1], limit);
        // Acknowledgements and labels come with the alerts from InfluxDB (alert_labels).
        ctx.json(Map.of("items", items));
    }

    private volatile String labelMetrics = "";
    private volatile long labelMetricsAtMs;

    /**
     * Labelled precision per service and metric for Prometheus, read from InfluxDB at most every 30
     * s; nothing when InfluxDB cannot answer (the scrape itself never fails on it).
     */
    private String labelledPrecisionMetrics() {
        if (System.currentTimeMillis() - labelMetricsAtMs > 30_000) {
            labelMetricsAtMs = System.currentTimeMillis();
            try {
                StringBuilder b = new StringBuilder();
                b.append("# HELP sentinel_labelled_precision True positives / labelled alerts, per")
                        .append(" service and metric (90 days)\n")
                        .append("# TYPE sentinel_labelled_precision gauge\n");
                StringBuilder counts =
                        new StringBuilder(
                                "# HELP sentinel_labels Alerts labelled, per service, metric and label\n"
                                        + "# TYPE sentinel_labels gauge\n");
                for (Map<String, Object> m : influx.labelledPrecision()) {
                    String labels =
                            "service=\""
                                    + escape(m.get("service"))
                                    + "\",metric=\""
                                    + escape(m.get("metric"))
                                    + "\"";
                    if (m.get("precision") != null) {
                        b.append("sentinel_labelled_precision{")
                                .append(labels)
                                .append("} ")
                                .append(m.get("precision"))
                                .append('\n');
                    }
                    counts.append("sentinel_labels{")
                            .append(labels)
                            .append(",label=\"true_positive\"} ")
                            .append(m.get("true_positives"))
                            .append('\n');
                    counts.append("sentinel_labels{")
                            .append(labels)
                            .append(",label=\"false_positive\"} ")
                            .append(m.get("false_positives"))
                            .append('\n');
                }
                labelMetrics = b.append(counts).toString();
            } catch (RuntimeException e) {
                metrics.backendError("influxdb");
            }
        }
        return labelMetrics;
    }

    private static String escape(Object v) {
        return String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Labelled precision per service and metric: true / (true + false) positives. */
    private void labels(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        cachedJson(ctx, "labels", () -> Map.of("items", influx.labelledPrecision()));
    }

    private static Object readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return json;
        }
    }

    @Override
    public void close() throws Exception {
        if (control != null) {
            control.close();
        }
        app.stop();
        checks.shutdownNow();
        influx.close();
        redis.close();
    }
}
