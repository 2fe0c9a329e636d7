package io.llmsentinel.job.sinks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The real servers scripts/test.sh starts (scripts/services.sh): InfluxDB 1.x on 8086, Redis on
 * 6379, RabbitMQ on 5672. Tests fail, not skip, when they are not there.
 */
public final class TestServers {
    private TestServers() {}

    public static final String INFLUXDB = "http://127.0.0.1:8086";
    public static final String REDIS_HOST = "127.0.0.1";
    public static final int REDIS_PORT = 6379;

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Runs InfluxQL on InfluxDB 1.x's /query; returns the JSON answer. */
    public static JsonNode influxQuery(String db, String influxql) throws Exception {
        String url =
                INFLUXDB
                        + "/query?db="
                        + URLEncoder.encode(db, StandardCharsets.UTF_8)
                        + "&q="
                        + URLEncoder.encode(influxql, StandardCharsets.UTF_8);
        HttpRequest req =
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build();
        HttpResponse<String> r;
        try {
            r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    "No InfluxDB at " + INFLUXDB + ": start it with scripts/services.sh up", e);
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "InfluxDB answered " + r.statusCode() + ": " + r.body());
        }
        return new ObjectMapper().readTree(r.body());
    }
}
