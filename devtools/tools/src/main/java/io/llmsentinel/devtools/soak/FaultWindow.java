package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One fault of a soak as scripts/chaos.sh did it, from its {@code faults.jsonl}: what (influxdb,
 * rabbitmq, webhook, redis, taskmanager, input), from when until the thing was back (wall clock),
 * and what was done.
 *
 * <pre>{"fault":"rabbitmq","start_ms":..,"end_ms":..,"detail":"scripts/services.sh down rabbitmq"}
 * </pre>
 */
record FaultWindow(String name, long startMs, long endMs, String detail) {
    /** The fault that pauses the input: the job must neither open nor resolve anything. */
    static final String INPUT = "input";

    static final String TASK_MANAGER = "taskmanager";

    private static final ObjectMapper JSON = new ObjectMapper();

    boolean contains(long t) {
        return t >= startMs && t <= endMs;
    }

    static List<FaultWindow> read(Path file) throws IOException {
        List<FaultWindow> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            out.add(
                    new FaultWindow(
                            n.path("fault").asText(),
                            n.path("start_ms").asLong(),
                            n.path("end_ms").asLong(),
                            n.path("detail").asText("")));
        }
        return out;
    }
}
