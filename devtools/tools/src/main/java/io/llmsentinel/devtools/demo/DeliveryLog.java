package io.llmsentinel.devtools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a demo receiver got, one JSON line per delivery, appended to a file that outlives the
 * receiver: a soak stops and starts the receivers (an endpoint away) and afterwards counts, per
 * message id, what arrived when and how often.
 *
 * <pre>{"received_at_ms":1764000000000,"id":"..","type":"incident.opened","redelivered":false}
 * </pre>
 *
 * {@code redelivered}: the broker delivered it again (RabbitMQ, after a consumer lost its
 * connection before acknowledging), as opposed to the job sending it twice.
 */
public final class DeliveryLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The type of a delivery the receiver refused (a bad signature or a stale timestamp). */
    public static final String REJECTED = "rejected";

    /** One delivery as the receiver saw it. */
    public record Entry(long receivedAtMs, String id, String type, boolean redelivered) {}

    private final BufferedWriter out;

    private DeliveryLog(BufferedWriter out) {
        this.out = out;
    }

    /** Appends to {@code file} (created if missing). */
    public static DeliveryLog appendTo(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new DeliveryLog(
                Files.newBufferedWriter(
                        file,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND));
    }

    /** Records one delivery now; each line is flushed, so a killed receiver loses none. */
    public synchronized void add(String id, String type, boolean redelivered) {
        ObjectNode n = JSON.createObjectNode();
        n.put("received_at_ms", System.currentTimeMillis());
        n.put("id", id);
        n.put("type", type);
        n.put("redelivered", redelivered);
        try {
            out.write(n.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not record a delivery", e);
        }
    }

    /**
     * The deliveries in a file, in the order written; a last line cut short by a killed receiver is
     * left out.
     */
    public static List<Entry> read(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException torn) {
                continue;
            }
            entries.add(
                    new Entry(
                            n.path("received_at_ms").asLong(),
                            n.path("id").asText(),
                            n.path("type").asText(),
                            n.path("redelivered").asBoolean(false)));
        }
        return entries;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
