package io.llmsentinel.query;

import io.javalin.http.Context;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and readiness (no token): ready when InfluxDB and Redis answer, each checked off the
 * request thread with a 2 s bound, at most once a second.
 */
final class HealthRoutes implements AutoCloseable {
    private final String influxHost;
    private final RedisView redis;
    private final ExecutorService checks =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "ready-check");
                        t.setDaemon(true);
                        return t;
                    });
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private volatile Map<String, Object> lastReady;
    private volatile long lastReadyAtMs;

    HealthRoutes(String influxHost, RedisView redis) {
        this.influxHost = influxHost;
        this.redis = redis;
    }

    void live(Context ctx) {
        ctx.json(Map.of("status", "live"));
    }

    void ready(Context ctx) {
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
                    HttpRequest.newBuilder(URI.create(influxHost.replaceAll("/+$", "") + "/health"))
                            .timeout(Duration.ofMillis(1500))
                            .GET()
                            .build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
