package io.llmsentinel.corpus.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the program actually did, written as calls.json in the shape of the JavaScript corpus's:
 * model calls in total and per service, model and kind ({@code chat} or {@code chat_stream},
 * streams split by whether they asked for usage), and the failed ones by outcome. One model call is
 * one ChatClient call, which Spring AI reports as one {@code chat <model>} span however many HTTP
 * attempts its retries made (the fake server's count of those is kept beside).
 */
final class CallLedger {
    /** Per key: calls, ok, and failures by outcome. */
    private final Map<String, Map<String, Long>> byKey = new TreeMap<>();

    synchronized void record(String service, String model, CallMode mode, String outcome) {
        Map<String, Long> c =
                byKey.computeIfAbsent(key(service, model, mode), k -> new TreeMap<>());
        c.merge("calls", 1L, Long::sum);
        c.merge(outcome, 1L, Long::sum);
    }

    synchronized long total() {
        return sum("calls");
    }

    synchronized long failed() {
        return sum("calls") - sum("ok");
    }

    private long sum(String field) {
        return byKey.values().stream().mapToLong(c -> c.getOrDefault(field, 0L)).sum();
    }

    private static String key(String service, String model, CallMode mode) {
        return service + "|" + model + "|" + mode.name();
    }

    /** Writes calls.json; {@code server} is what the fake server counted meanwhile. */
    synchronized void write(Path file, Map<String, Object> run, JsonNode server)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("variant", "spring-ai");
        root.setAll((ObjectNode) json.valueToTree(run));
        long streamed = 0;
        long streamedWithUsage = 0;
        Map<String, Long> failedBy = new TreeMap<>();
        var keys = json.createArrayNode();
        for (Map.Entry<String, Map<String, Long>> e : byKey.entrySet()) {
            String[] p = e.getKey().split("\\|");
            CallMode mode = CallMode.valueOf(p[2]);
            Map<String, Long> c = e.getValue();
            ObjectNode k = keys.addObject();
            k.put("service", p[0]);
            k.put("model", p[1]);
            k.put("kind", mode.streaming ? "chat_stream" : "chat");
            if (mode.streaming) {
                k.put("include_usage", mode == CallMode.STREAM_WITH_USAGE);
                streamed += c.get("calls");
                if (mode == CallMode.STREAM_WITH_USAGE) {
                    streamedWithUsage += c.get("calls");
                }
            }
            k.put("calls", c.get("calls"));
            k.put("ok", c.getOrDefault("ok", 0L));
            ObjectNode failed = k.putObject("failed");
            c.forEach(
                    (outcome, n) -> {
                        if (!outcome.equals("calls") && !outcome.equals("ok")) {
                            failed.put(outcome, n);
                            failedBy.merge(outcome, n, Long::sum);
                        }
                    });
        }
        root.put("llm_calls", total());
        root.put("chat_calls", total());
        root.put("streamed_calls", streamed);
        root.put("streamed_calls_with_usage", streamedWithUsage);
        root.put("embeddings_calls", 0);
        root.put("failed_calls", failed());
        root.set("failed_by", json.valueToTree(failedBy));
        root.set("by_key", keys);
        // The server counts HTTP attempts: Spring AI's retries of 5xx answers and dropped
        // connections make it more than llm_calls, which is what the spans should show.
        root.set("server_counts", server);
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
