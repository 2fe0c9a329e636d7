package io.llmsentinel.query;

import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP service: builds the backends and the route handlers, and wires every route in one place
 * ({@link #routes}), with access control before each and problem details for every failure. The
 * handlers, one class per concern: {@link QueryRoutes} (anomalies, telemetry, baselines), {@link
 * ControlRoutes} (silences, maintenance windows, rules), {@link LabelRoutes} (acknowledgements and
 * labels), {@link AlertRoutes}, {@link HealthRoutes}. Every route is in {@code openapi.json}, and a
 * test calls each documented route.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);

    private final QueryApiConfig config;
    private final ApiMetrics metrics = new ApiMetrics();
    private final InfluxQueries influx;
    private final RedisView redis;
    private final ControlClient control;
    private final HealthRoutes health;
    private final QueryRoutes queries;
    private final ControlRoutes controls;
    private final LabelRoutes labels;
    private final AlertRoutes alerts;
    private final String openapi;
    private final Javalin app;

    public QueryApi(QueryApiConfig config) throws IOException {
        this.config = config;
        this.influx = new InfluxQueries(config);
        this.redis = new RedisView(config);
        QueryCache cache =
                new QueryCache(
                        config.cacheTtl(),
                        redis,
                        metrics,
                        config.influxHost() + "/" + config.influxDatabase());
        this.control =
                config.controlEnabled()
                        ? new ControlClient(
                                config.kafkaBootstrapServers(),
                                config.kafkaProperties(),
                                config.controlTopic())
                        : null;
        this.health = new HealthRoutes(config.influxHost(), redis);
        this.queries = new QueryRoutes(influx, redis, cache, metrics);
        this.controls = new ControlRoutes(control);
        this.labels = new LabelRoutes(influx, cache, metrics);
        this.alerts = new AlertRoutes(influx, cache, metrics);
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

    public QueryApi start() {
        app.start(config.bind(), config.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    private void routes() {
        app.before(
                new AccessControl(
                        config.tokens(), config.corsAllowedOrigins(), config.maxRequestBytes()));
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

        app.get("/health/live", health::live);
        app.get("/health/ready", health::ready);
        app.get(
                "/metrics",
                ctx ->
                        ctx.contentType("text/plain; version=0.0.4")
                                .result(metrics.prometheus() + labels.prometheus()));
        app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));

        // What the job wrote (any token): InfluxDB and Redis.
        app.get("/api/v1/anomalies", queries::anomalies);
        app.get("/api/v1/anomalies/{id}", queries::anomaly);
        app.get("/api/v1/recent-anomalies", queries::recentAnomalies);
        app.get("/api/v1/telemetry", queries::telemetry);
        app.get("/api/v1/baselines", queries::baselines);
        app.get("/api/v1/services", queries::services);

        // What is in force (any token) and changing it (admin tokens): the control topic.
        app.get("/api/v1/silences", controls::silences);
        app.post("/api/v1/silences", controls::createSilence);
        app.delete("/api/v1/silences/{id}", controls::deleteSilence);
        app.get("/api/v1/rules", controls::rules);
        app.put("/api/v1/rules/{id}", controls::putRule);
        app.delete("/api/v1/rules/{id}", controls::deleteRule);

        // Acknowledgements and labels (any token): InfluxDB only.
        app.post("/api/v1/anomalies/{id}/ack", labels::ack);
        app.post("/api/v1/anomalies/{id}/feedback", labels::feedback);
        app.get("/api/v1/labels", labels::labels);
        app.get("/api/v1/alerts", alerts::alerts);

        app.exception(Problem.class, (e, ctx) -> e.writeTo(ctx));
        app.exception(
                RedisView.Unavailable.class,
                (e, ctx) -> {
                    metrics.backendError("redis");
                    new Problem(503, "Redis unavailable", e.getMessage(), null).writeTo(ctx);
                });
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    // Logged here with its cause; the client gets no stack trace and no detail.
                    LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.toString());
                    metrics.backendError(
                            e.getClass().getName().contains("flight") ? "influxdb" : "other");
                    new Problem(
                                    502,
                                    "Backend error",
                                    "the query could not be answered; try again",
                                    null)
                            .writeTo(ctx);
                });
        app.error(
                404,
                ctx -> {
                    if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                        Problem.notFound("no such resource: " + ctx.path()).writeTo(ctx);
                    }
                });
        app.error(413, ctx -> AccessControl.tooLarge(config.maxRequestBytes()).writeTo(ctx));
    }

    @Override
    public void close() throws Exception {
        if (control != null) {
            control.close();
        }
        app.stop();
        health.close();
        influx.close();
        redis.close();
    }
}
