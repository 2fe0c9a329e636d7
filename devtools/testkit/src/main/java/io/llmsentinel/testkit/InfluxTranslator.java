package io.llmsentinel.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * For development and tests only: InfluxDB 3 cannot run on these machines, so this puts a real
 * InfluxDB 1.x behind the wire calls of the InfluxDB 3 client, on one loopback port as InfluxDB 3
 * does (HTTP/1.1 and gRPC told apart by {@link PortMux}). Writes: the two write paths of {@code
 * influxdb3-java} forward the line protocol, as it came (gzip included), to InfluxDB 1.x's {@code
 * /write}; the status and body of InfluxDB's answer go back unchanged. Queries: the client's Arrow
 * Flight {@code DoGet} with an InfluxQL ticket runs on InfluxDB 1.x's {@code /query} with bound
 * parameters ({@link InfluxFlightQueries}).
 *
 * <pre>
 *   POST /api/v2/write?bucket=DB&amp;org=&amp;precision=ns   -&gt;  POST /write?db=DB&amp;precision=ns
 *   POST /api/v3/write_lp?db=DB&amp;precision=..          -&gt;  POST /write?db=DB&amp;precision=..
 * </pre>
 *
 * What this does not reproduce: InfluxDB 3's own validation, partial writes, its error bodies and
 * its schema rules; the line protocol itself is parsed and stored by the real server.
 *
 * <p>{@code java ... InfluxTranslator --port 8181 --influxdb http://127.0.0.1:8086}
 */
public final class InfluxTranslator implements AutoCloseable {
    private final HttpServer server;
    private final InfluxFlightQueries flight;
    private final PortMux mux;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String influx;

    public InfluxTranslator(int port, String influxUrl) throws IOException {
        this.influx = influxUrl.replaceAll("/+$", "");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/api/v2/write", ex -> forwardWrite(ex, "bucket"));
        server.createContext("/api/v3/write_lp", ex -> forwardWrite(ex, "db"));
        server.createContext(
                "/health",
                ex -> respond(ex, 200, "{\"status\":\"pass\"}".getBytes(StandardCharsets.UTF_8)));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        flight = new InfluxFlightQueries(influx);
        mux = new PortMux(port, server.getAddress().getPort(), flight.port());
    }

    public int port() {
        return mux.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    private void forwardWrite(HttpExchange ex, String dbParam) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                respond(ex, 405, new byte[0]);
                return;
            }
            Map<String, String> q = query(ex.getRequestURI());
            String db = q.get(dbParam);
            if (db == null || db.isEmpty()) {
                respond(ex, 400, error("missing '" + dbParam + "'"));
                return;
            }
            String precision = q.getOrDefault("precision", "ns");
            precision =
                    switch (precision) {
                        case "nanosecond" -> "ns";
                        case "microsecond" -> "u";
                        case "millisecond" -> "ms";
                        case "second" -> "s";
                        default -> precision;
                    };
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder req =
                    HttpRequest.newBuilder(
                                    URI.create(
                                            influx
                                                    + "/write?db="
                                                    + URLEncoder.encode(db, StandardCharsets.UTF_8)
                                                    + "&precision="
                                                    + precision))
                            .timeout(Duration.ofSeconds(30))
                            .header("content-type", "text/plain; charset=utf-8")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
            if (encoding != null) {
                req.header("Content-Encoding", encoding);
            }
            HttpResponse<byte[]> r =
                    http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            respond(ex, r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(ex, 503, error("interrupted"));
        } catch (IOException e) {
            respond(ex, 503, error("InfluxDB 1.x not reachable: " + e.getMessage()));
        }
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static byte[] error(String message) {
        return ("{\"error\":\"" + message.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
        if (status == 204 || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        try {
            mux.close();
            flight.close();
        } catch (Exception e) {
            System.err.println("closing the translator: " + e);
        }
        server.stop(0);
    }

    public static void main(String[] args) throws Exception {
        int port = 8181;
        String influx = "http://127.0.0.1:8086";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--influxdb" -> influx = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        InfluxTranslator t = new InfluxTranslator(port, influx);
        System.out.printf(
                "InfluxDB 3 wire translator (writes, Flight InfluxQL queries) on %s -> InfluxDB 1.x"
                        + " at %s%n",
                t.url(), influx);
        Runtime.getRuntime().addShutdownHook(new Thread(t::close));
        Thread.currentThread().join();
    }
}
