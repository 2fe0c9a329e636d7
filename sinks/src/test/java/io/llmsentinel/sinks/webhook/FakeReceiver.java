package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A local stand-in for a notification service on 127.0.0.1: every body is checked by {@code
 * problems} (the service's documented schema), and answered as the service answers: {@code ok} when
 * it has nothing to say, its refusal (a 400 with the problems) otherwise. What it took and what it
 * refused are kept for the test to read.
 */
final class FakeReceiver implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived. */
    record Received(Headers headers, String body, JsonNode json) {}

    final List<Received> accepted = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    /**
     * @param problems what the service would refuse in a body (empty: it takes it)
     * @param status the status of an accepted request (Slack 200, PagerDuty 202)
     * @param answer the body of an accepted request
     */
    FakeReceiver(
            String path,
            Function<JsonNode, List<String>> problems,
            int status,
            Function<JsonNode, String> answer)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                path,
                ex -> {
                    String body =
                            new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    JsonNode json;
                    List<String> found;
                    try {
                        json = JSON.readTree(body);
                        found = problems.apply(json);
                    } catch (IOException e) {
                        json = null;
                        found = List.of("not JSON: " + e.getMessage());
                    }
                    byte[] reply;
                    int code;
                    if (found.isEmpty()
                            && "application/json"
                                    .equals(ex.getRequestHeaders().getFirst("content-type"))) {
                        accepted.add(new Received(ex.getRequestHeaders(), body, json));
                        code = status;
                        reply = answer.apply(json).getBytes(StandardCharsets.UTF_8);
                    } else {
                        refused.add(found.isEmpty() ? "content-type is not JSON" : found + "");
                        code = 400;
                        reply = ("invalid: " + found).getBytes(StandardCharsets.UTF_8);
                    }
                    ex.sendResponseHeaders(code, reply.length);
                    ex.getResponseBody().write(reply);
                    ex.close();
                });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
