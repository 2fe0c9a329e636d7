package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.demo.DeliveryLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * What scripts/chaos.sh --soak runs beside the job, in its run folder DIR:
 *
 * <pre>
 *   SoakWatch watch --dir DIR --job JOB_ID [--every-s 5] [--since-ms MS]
 *       [--rest http://127.0.0.1:8081] [--flink-dir .run/flink]
 *       [--influx-url http://127.0.0.1:8086] --influx-db DB [--alerts-measurement alerts]
 *       [--anomalies-measurement anomalies] [--redis-host 127.0.0.1] [--redis-port 6379]
 *   SoakWatch mark --dir DIR --job JOB_ID --name start|end [--rest ..] [--flink-dir ..]
 * </pre>
 *
 * {@code watch} appends a {@link ClusterSample} to DIR/samples.jsonl and what InfluxDB and Redis
 * show for the first time to DIR/store-arrivals.jsonl, every few seconds, until DIR/watch.stop
 * exists (then one last poll). {@code mark} appends one sample taken after a full GC to
 * DIR/marks.jsonl. A poll that fails (a server the soak took away) is skipped, not fatal.
 */
public final class SoakWatch {
    static final String SAMPLES = "samples.jsonl";
    static final String MARKS = "marks.jsonl";
    static final String STORE_ARRIVALS = "store-arrivals.jsonl";
    static final String STOP = "watch.stop";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SoakWatch() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException(
                    "usage: SoakWatch watch|mark --dir DIR --job ID ...");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path dir = Path.of(required(o, "dir"));
        ClusterProbe cluster =
                new ClusterProbe(
                        new FlinkRest(o.getOrDefault("rest", "http://127.0.0.1:8081")),
                        required(o, "job"),
                        Path.of(o.getOrDefault("flink-dir", ".run/flink")));
        switch (args[0]) {
            case "mark" -> {
                ClusterSample s = cluster.mark(required(o, "name"));
                append(dir.resolve(MARKS), JSON.writeValueAsString(s));
                System.out.println(JSON.writeValueAsString(s));
            }
            case "watch" -> watch(dir, cluster, o);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void watch(Path dir, ClusterProbe cluster, Map<String, String> o)
            throws Exception {
        long every = Long.parseLong(o.getOrDefault("every-s", "5")) * 1000;
        StoreProbe stores =
                new StoreProbe(
                        o.getOrDefault("influx-url", "http://127.0.0.1:8086"),
                        required(o, "influx-db"),
                        o.getOrDefault("alerts-measurement", "alerts"),
                        o.getOrDefault("anomalies-measurement", "anomalies"),
                        o.getOrDefault("redis-host", "127.0.0.1"),
                        Integer.parseInt(o.getOrDefault("redis-port", "6379")),
                        Long.parseLong(o.getOrDefault("since-ms", "0")));
        Path stop = dir.resolve(STOP);
        Files.deleteIfExists(stop);
        try (DeliveryLog arrivals = DeliveryLog.appendTo(dir.resolve(STORE_ARRIVALS));
                BufferedWriter samples =
                        Files.newBufferedWriter(
                                dir.resolve(SAMPLES),
                                StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND)) {
            boolean last = false;
            while (!last) {
                last = Files.exists(stop);
                long next = System.currentTimeMillis() + every;
                try {
                    samples.write(JSON.writeValueAsString(cluster.sample(null)));
                    samples.newLine();
                    samples.flush();
                } catch (IOException e) {
                    // the JobManager answers again once it is back; the gap shows in the samples
                    System.err.println("soak watch: no sample of the cluster: " + e.getMessage());
                }
                stores.poll(arrivals);
                long wait = next - System.currentTimeMillis();
                if (!last && wait > 0) {
                    Thread.sleep(wait);
                }
            }
        }
    }

    private static void append(Path file, String line) throws IOException {
        Files.writeString(
                file,
                line + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
