package io.llmsentinel.devtools.backtest;

import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricState;
import io.llmsentinel.functions.flink.KeyBaselineSerializer;
import io.llmsentinel.functions.flink.KeyState;
import io.llmsentinel.functions.flink.KeyStateSerializer;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowStats;
import io.llmsentinel.functions.read.OtlpTraceReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Bytes of keyed state per key, as the job's serializers write them: generated telemetry (20
 * messages a second, the generator's five services and their models) replayed through the job's
 * detection for a while of event time, then every key's state serialized: the value a request reads
 * and writes ({@link KeyState}: the per-request baselines and the open windows) and the windows'
 * baselines, with the daily profiles of the seasonal windowed metrics apart (issue 19 allows them
 * up to 4 KB per key and metric). Value bytes only: RocksDB adds the key (key group, the key
 * string) and the TTL's 8 bytes per value.
 *
 * <pre>
 *   StateSizePerKey --config conf/sentinel.yaml [--duration 3600]
 * </pre>
 */
public final class StateSizePerKey {
    private StateSizePerKey() {}

    /** What was measured, per key: request state, window baselines without and with profiles. */
    public record Sizes(
            int seconds,
            List<Integer> requestState,
            List<Integer> windowBaselines,
            Map<Metric, Integer> largestProfile) {
        /** Median bytes per key of everything but the daily profiles. */
        public int defaultKeyBytes() {
            List<Integer> total = new ArrayList<>();
            for (int i = 0; i < requestState.size(); i++) {
                total.add(requestState.get(i) + windowBaselines.get(i));
            }
            return median(total);
        }

        public void print() {
            System.out.printf(
                    Locale.ROOT,
                    "  state per key (%d keys after %d s of generated telemetry, value bytes):"
                            + " request state (baselines and open windows) median %,d (max %,d),"
                            + " window baselines median %,d (max %,d); together %,d;"
                            + " daily profiles per metric, largest: %s%n",
                    requestState.size(),
                    seconds,
                    median(requestState),
                    Collections.max(requestState),
                    median(windowBaselines),
                    Collections.max(windowBaselines),
                    defaultKeyBytes(),
                    largestProfile.isEmpty() ? "none yet" : largestProfile);
        }
    }

    public static Sizes measure(Path configFile, int seconds) throws IOException {
        SentinelConfig config = SentinelConfig.load(configFile, Map.of(), System::getenv);
        OtlpTraceReader reader = Replay.traceReader(config, System::currentTimeMillis);
        Replay replay = new Replay(config);
        long start = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
        long lateness = replay.latenessMs();
        try (TelemetryGenerator gen = new TelemetryGenerator(42, List.of(), 6)) {
            for (long n = 0; n < seconds * 20L; n++) {
                long t = start + n * 50;
                for (LlmRequest r : reader.read(gen.nextMessage(t)).requests()) {
                    replay.offer(r, t);
                }
                replay.advance(t - lateness, t);
            }
        }
        Map<String, KeyBaseline> requests = replay.requestBaselines();
        Map<String, KeyBaseline> windows = replay.windowBaselines();
        Map<String, Map<Long, WindowStats>> open = replay.openWindows();
        List<Integer> requestBytes = new ArrayList<>();
        List<Integer> windowBytes = new ArrayList<>();
        Map<Metric, Integer> profiles = new EnumMap<>(Metric.class);
        for (String key : windows.keySet()) {
            KeyState s = new KeyState();
            s.requests = requests.get(key);
            for (Map.Entry<Long, WindowStats> e : open.getOrDefault(key, Map.of()).entrySet()) {
                s.open(e.getKey(), e.getKey() + replay.windowMs()).merge(e.getValue());
            }
            requestBytes.add(bytes(KeyStateSerializer.INSTANCE, s));
            KeyBaseline w = windows.get(key);
            KeyBaseline withoutProfiles = KeyBaselineSerializer.INSTANCE.copy(w);
            for (Metric m : Metric.values()) {
                MetricState ms = withoutProfiles.peek(m);
                if (ms != null && ms.season != null) {
                    KeyBaseline one = KeyBaselineSerializer.INSTANCE.copy(withoutProfiles);
                    int with = bytes(KeyBaselineSerializer.INSTANCE, one);
                    one.peek(m).season = null;
                    int profile = with - bytes(KeyBaselineSerializer.INSTANCE, one);
                    profiles.merge(m, profile, Math::max);
                    ms.season = null;
                }
            }
            windowBytes.add(bytes(KeyBaselineSerializer.INSTANCE, withoutProfiles));
        }
        return new Sizes(seconds, requestBytes, windowBytes, profiles);
    }

    private static <T> int bytes(org.apache.flink.api.common.typeutils.TypeSerializer<T> s, T v)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        s.serialize(v, out);
        return out.length();
    }

    static int median(List<Integer> values) {
        List<Integer> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    public static void main(String[] args) throws Exception {
        Path config = null;
        int seconds = 3600;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--config" -> config = Path.of(args[i + 1]);
                case "--duration" -> seconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        measure(config, seconds).print();
    }
}
