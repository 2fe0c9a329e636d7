package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What the soak reads of the session cluster's REST API (scripts/cluster.sh, port 8081): the job's
 * state, restarts and checkpoints, and each TaskManager's JVM. Metrics are at most a second old
 * (conf/flink-cluster sets the fetcher's interval).
 */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** GET {@code path}; an answer other than 200 is an error naming the path and the body. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(
                    "GET " + base + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The values of some metrics of {@code path} (".../metrics"), by metric id; 0 when absent. */
    Map<String, Long> metrics(String path, String... ids) throws IOException, InterruptedException {
        JsonNode answer =
                get(
                        path
                                + "?get="
                                + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8));
        Map<String, Long> out = new HashMap<>();
        for (String id : ids) {
            out.put(id, 0L);
        }
        for (JsonNode m : answer) {
            out.put(m.path("id").asText(), (long) m.path("value").asDouble());
        }
        return out;
    }
}
