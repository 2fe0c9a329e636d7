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
        this.cache = new QueryCache(config.cacheTtl(), redis, metrics);
        this.tokenHashes =
                config.tokenHashes().stream()
                        .map(h -> HexFormat.of().parseHex(h.toLowerCase()))
                        .toList();
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
                ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.prometheus()));
        app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));

        app.get("/api/v1/anomalies", this::anomalies);
        app.get("/api/v1/anomalies/{id}", this::anomaly);
        app.get("/api/v1/recent-anomalies", this::recentAnomalies);
        app.get("/api/v1/telemetry", this::telemetry);
        app.get("/api/v1/baselines", this::baselines);
        app.get("/api/v1/services", this::services);

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
            ctx.header("Access-Control-Allow-Methods", "GET, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            ctx.header("Access-Control-Max-Age", "600");
            return;
        }
        if (OPEN.contains(ctx.path())) {
            return;
        }
        String auth = ctx.header("Authorization");
        if (auth == null
                || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                || !tokenOk(auth.substring(7).trim())) {
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
        byte[] h = sha256(token);
        boolean ok = false;
        for (byte[] expected : tokenHashes) {
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

    @Override
    public void close() throws Exception {
        app.stop();
        checks.shutdownNow();
        influx.close();
        redis.close();
    }
}
