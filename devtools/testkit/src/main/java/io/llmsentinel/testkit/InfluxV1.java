package io.llmsentinel.testkit;

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

/**
 * For tests and scripts: InfluxQL straight on InfluxDB 1.x's {@code /query} (creating and dropping
 * databases, reading back what the job wrote), bypassing the InfluxDB 3 client on purpose.
 */
public final class InfluxV1 {
    private InfluxV1() {}

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Runs {@code influxql} against {@code db} (empty for none); the answer, or an exception. */
    public static JsonNode query(String influxUrl, String db, String influxql)
            throws IOException, InterruptedException {
        String url =
                influxUrl
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
        } catch (IOException e) {
            throw new IOException(
                    "No InfluxDB at " + influxUrl + ": start it with scripts/services.sh up", e);
        }
        if (r.statusCode() != 200) {
            throw new IOException("InfluxDB answered " + r.statusCode() + ": " + r.body());
        }
        return new ObjectMapper().readTree(r.body());
    }
}
