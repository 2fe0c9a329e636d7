package io.llmsentinel.sinks.delivery;

import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.influx.InfluxPoints;
import io.llmsentinel.sinks.influx.InfluxSettings;
import io.llmsentinel.sinks.influx.InfluxSink;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * Writes a snapshot of an output's writer state in the current format into the test resources, as
 * the detection state's {@code StateSnapshots} does: the InfluxDB anomaly sink, run in Flink's sink
 * writer operator, with {@link #KEPT} points its server never took. {@link
 * BacklogStateCompatibilityTest} restores every stored one. Run once per writer-state format
 * ({@link OutboxStateSerializer#VERSION}), from the sinks module, with its test classpath:
 *
 * <pre>
 *   java -cp "$CP" io.llmsentinel.sinks.delivery.BacklogStateSnapshots 1
 *   (writes src/test/resources/outbox-state/format-1-{heap,rocksdb}.snapshot)
 * </pre>
 */
public final class BacklogStateSnapshots {
    private BacklogStateSnapshots() {}

    static final Path DIR = Path.of("src/test/resources/outbox-state");
    static final int KEPT = 3;

    /** Dead letters of the sinks the harnesses run (the factory must be serializable). */
    static final List<DeadLetter> DEAD_LETTERS = Collections.synchronizedList(new ArrayList<>());

    static Anomaly anomaly(int i) {
        Anomaly a = new Anomaly();
        a.anomalyId = "kept-" + i;
        a.service = "support-bot";
        a.model = "gpt-4o";
        a.metric = "latency_ms";
        a.severity = "high";
        a.anomalyType = "latency_spike";
        a.value = 9000 + i;
        a.eventTimeMs = 1_764_000_000_000L + i * 1000L;
        a.detectedAtMs = a.eventTimeMs + 50;
        return a;
    }

    /** The InfluxDB anomaly sink against {@code host}, with the given backlog. */
    static InfluxSink<Anomaly> sink(String host, OutboxSettings backlog) {
        return new InfluxSink<>(
                new InfluxSettings(host, "sentinel", "", 1000, 50),
                backlog,
                InfluxPoints.anomalies("anomalies"),
                () -> new CollectingDeadLetters(DEAD_LETTERS));
    }

    static OneInputStreamOperatorTestHarness<Anomaly, CommittableMessage<Void>> harness(
            InfluxSink<Anomaly> sink, String backend) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<Anomaly, CommittableMessage<Void>>(
                        new SinkWriterOperatorFactory<Anomaly, Void>(sink));
        h.setStateBackend(
                backend.equals("rocksdb")
                        ? new EmbeddedRocksDBStateBackend()
                        : new HashMapStateBackend());
        return h;
    }

    /** An address nothing listens on: every write fails with a connection error (retried). */
    static String nowhere() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    /** An InfluxDB write endpoint that takes everything; the lines it got go into {@code into}. */
    static HttpServer influx(List<String> into) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                ex -> {
                    byte[] body = ex.getRequestBody().readAllBytes();
                    if ("gzip"
                            .equalsIgnoreCase(
                                    ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                            body = in.readAllBytes();
                        }
                    }
                    for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                        if (!line.isBlank()) {
                            into.add(line);
                        }
                    }
                    ex.sendResponseHeaders(204, -1);
                    ex.close();
                });
        server.start();
        return server;
    }

    public static void main(String[] args) throws Exception {
        String format = args[0];
        Files.createDirectories(DIR);
        for (String backend : new String[] {"heap", "rocksdb"}) {
            try (var h =
                    harness(sink(nowhere(), TestBacklogs.settings("anomalies", 10)), backend)) {
                h.open();
                for (int i = 0; i < KEPT; i++) {
                    h.processElement(new StreamRecord<>(anomaly(i), anomaly(i).eventTimeMs));
                }
                OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
                Path file = DIR.resolve("format-" + format + "-" + backend + ".snapshot");
                OperatorSnapshotUtil.writeStateHandle(snapshot, file.toString());
                System.out.println("wrote " + file);
            }
        }
    }
}
