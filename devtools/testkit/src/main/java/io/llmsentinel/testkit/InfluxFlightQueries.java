package io.llmsentinel.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The query half of {@link InfluxTranslator}: an Arrow Flight server whose {@code DoGet} takes the
 * InfluxDB 3 client's ticket ({@code {"database", "sql_query", "query_type", "params"}}), runs an
 * InfluxQL ticket on InfluxDB 1.x's {@code /query} with its parameters bound by the server ({@code
 * params}), and answers with the rows as one Arrow record batch per series: {@code
 * iox::measurement}, {@code time} (timestamp, ns), then each column as a double or a string.
 *
 * <p>SQL tickets are refused (InfluxDB 1.x has no SQL): that part of InfluxDB 3 stays untested
 * here. Columns are typed from their values (a number is a double), where InfluxDB 3 would give the
 * schema's types; tags and fields are not told apart.
 */
final class InfluxFlightQueries extends NoOpFlightProducer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TIME_META =
            Map.of("iox::column::type", "iox::column_type::timestamp");

    private final String influx;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final BufferAllocator allocator = new RootAllocator();
    private final FlightServer server;

    InfluxFlightQueries(String influxUrl) throws java.io.IOException {
        this.influx = influxUrl;
        server =
                FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), this)
                        .build()
                        .start();
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
        try {
            JsonNode t = JSON.readTree(ticket.getBytes());
            String type = t.path("query_type").asText("sql");
            if (!"influxql".equalsIgnoreCase(type)) {
                listener.error(
                        CallStatus.UNIMPLEMENTED
                                .withDescription(
                                        "only InfluxQL tickets are translated to InfluxDB 1.x;"
                                                + " SQL needs a real InfluxDB 3")
                                .toRuntimeException());
                return;
            }
            JsonNode answer =
                    query(
                            t.path("database").asText(),
                            t.path("sql_query").asText(),
                            t.path("params"));
            JsonNode result = answer.path("results").path(0);
            if (answer.has("error") || result.has("error")) {
                String msg =
                        answer.has("error")
                                ? answer.get("error").asText()
                                : result.get("error").asText();
                listener.error(
                        CallStatus.INVALID_ARGUMENT.withDescription(msg).toRuntimeException());
                return;
            }
            boolean started = false;
            for (JsonNode series : result.path("series")) {
                try (VectorSchemaRoot root = batch(series)) {
                    if (!started) {
                        listener.start(root);
                        started = true;
                    }
                    listener.putNext();
                }
            }
            if (!started) {
                try (VectorSchemaRoot empty =
                        VectorSchemaRoot.create(
                                new Schema(List.of(timeField(), measurementField())), allocator)) {
                    listener.start(empty);
                }
            }
            listener.completed();
        } catch (Exception e) {
            listener.error(
                    CallStatus.INTERNAL
                            .withDescription(e.toString())
                            .withCause(e)
                            .toRuntimeException());
        }
    }

    private JsonNode query(String db, String influxql, JsonNode params) throws Exception {
        StringBuilder form = new StringBuilder();
        form.append("db=").append(enc(db));
        form.append("&epoch=ns");
        form.append("&q=").append(enc(influxql));
        if (params != null && params.isObject() && params.size() > 0) {
            form.append("&params=").append(enc(JSON.writeValueAsString(params)));
        }
        HttpRequest req =
                HttpRequest.newBuilder(URI.create(influx + "/query"))
                        .timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
                        .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Field timeField() {
        return new Field(
                "time",
                new FieldType(
                        true, new ArrowType.Timestamp(TimeUnit.NANOSECOND, null), null, TIME_META),
                null);
    }

    private static Field measurementField() {
        return Field.nullable("iox::measurement", ArrowType.Utf8.INSTANCE);
    }

    /** One series as a record batch: measurement, time, then the other columns. */
    private VectorSchemaRoot batch(JsonNode series) {
        List<String> columns = new ArrayList<>();
        series.path("columns").forEach(c -> columns.add(c.asText()));
        JsonNode values = series.path("values");
        Map<String, String> tags = new LinkedHashMap<>();
        series.path("tags")
                .fields()
                .forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        List<Field> fields = new ArrayList<>();
        fields.add(measurementField());
        for (int c = 0; c < columns.size(); c++) {
            String name = columns.get(c);
            if (name.equals("time")) {
                fields.add(timeField());
            } else {
                boolean numeric = true;
                for (JsonNode row : values) {
                    JsonNode v = row.get(c);
                    if (v != null && !v.isNull() && !v.isNumber()) {
                        numeric = false;
                        break;
                    }
                }
                fields.add(
                        Field.nullable(
                                name,
                                numeric
                                        ? new ArrowType.FloatingPoint(
                                                org.apache.arrow.vector.types.FloatingPointPrecision
                                                        .DOUBLE)
                                        : ArrowType.Utf8.INSTANCE));
            }
        }
        for (String tag : tags.keySet()) {
            if (!columns.contains(tag)) {
                fields.add(Field.nullable(tag, ArrowType.Utf8.INSTANCE));
            }
        }
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
        root.allocateNew();
        int n = values.size();
        VarCharVector measurement = (VarCharVector) root.getVector("iox::measurement");
        for (int i = 0; i < n; i++) {
            measurement.setSafe(i, series.path("name").asText("").getBytes(StandardCharsets.UTF_8));
        }
        for (int c = 0; c < columns.size(); c++) {
            FieldVector vector = root.getVector(columns.get(c));
            for (int i = 0; i < n; i++) {
                JsonNode v = values.get(i).get(c);
                if (v == null || v.isNull()) {
                    vector.setNull(i);
                } else if (vector instanceof TimeStampNanoVector ts) {
                    ts.setSafe(i, v.asLong());
                } else if (vector instanceof Float8Vector f) {
                    f.setSafe(i, v.asDouble());
                } else if (vector instanceof VarCharVector s) {
                    s.setSafe(
                            i,
                            (v.isTextual() ? v.asText() : v.toString())
                                    .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (columns.contains(tag.getKey())) {
                continue;
            }
            VarCharVector s = (VarCharVector) root.getVector(tag.getKey());
            for (int i = 0; i < n; i++) {
                s.setSafe(i, tag.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        root.setRowCount(n);
        return root;
    }

    @Override
    public void close() throws Exception {
        server.shutdown();
        server.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        allocator.close();
    }
}
