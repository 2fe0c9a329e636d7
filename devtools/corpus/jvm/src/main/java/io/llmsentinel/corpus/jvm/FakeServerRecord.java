package io.llmsentinel.corpus.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;

/**
 * What the fake OpenAI server recorded: its incidents as applied (absolute epoch-ms windows with
 * the metrics each should move, {@code GET /sentinel/incidents}) and its answer counters ({@code
 * GET /sentinel/stats}), which count every HTTP attempt, retries included.
 */
final class FakeServerRecord {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String serverUrl;

    FakeServerRecord(String serverUrl) {
        this.serverUrl = serverUrl.replaceAll("/+$", "").replaceAll("/v1$", "");
    }

    /**
     * The server's --start-ms, which its incident windows are relative to ({@code start_ms -
     * start_s}), if it has an incident.
     */
    java.util.OptionalLong incidentClockStart() throws IOException, InterruptedException {
        for (JsonNode w : incidents()) {
            if (w.has("start_ms") && w.has("start_s")) {
                return java.util.OptionalLong.of(
                        w.get("start_ms").asLong()
                                - Math.round(w.get("start_s").asDouble() * 1000));
            }
        }
        return java.util.OptionalLong.empty();
    }

    JsonNode incidents() throws IOException, InterruptedException {
        return get("/sentinel/incidents");
    }

    /** The counters, asking again for up to {@code waitS} seconds while the server is not up. */
    JsonNode awaitStats(long waitS) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + waitS * 1000;
        while (true) {
            try {
                return stats();
            } catch (java.net.ConnectException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    JsonNode stats() throws IOException, InterruptedException {
        return get("/sentinel/stats");
    }

    /** {@code after - before} for every numeric counter. */
    static ObjectNode difference(JsonNode before, JsonNode after) {
        ObjectNode d = new ObjectMapper().createObjectNode();
        for (Iterator<String> names = after.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (after.get(name).isNumber()) {
                d.put(name, after.get(name).asLong() - before.path(name).asLong(0));
            }
        }
        return d;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(serverUrl + path))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(
                    "GET "
                            + serverUrl
                            + path
                            + " answered "
                            + r.statusCode()
                            + ": is this devtools/corpus/fake-openai/server.mjs?");
        }
        return json.readTree(r.body());
    }
}
