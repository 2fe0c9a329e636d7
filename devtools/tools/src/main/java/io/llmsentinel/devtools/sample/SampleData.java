package io.llmsentinel.devtools.sample;

import com.influxdb.v3.client.InfluxDBClient;
import com.influxdb.v3.client.Point;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.RequestDetector;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import io.llmsentinel.sinks.influx.InfluxPoints;
import io.llmsentinel.sinks.redis.RedisSettings;
import io.llmsentinel.sinks.redis.RedisWrites;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;

/**
 * For tests and benchmarks of the query API: generated telemetry (with one latency spike) read and
 * judged by the job's own reader and detectors, stored as the job's sinks store it: requests and
 * anomalies through the InfluxDB 3 client, live baselines and recent anomalies in Redis.
 *
 * <p>{@code java ... SampleData --influxdb http://127.0.0.1:8181 --database sentinel --minutes 20}
 */
public final class SampleData {
    private SampleData() {}

    /**
     * What was written: the anomalies, the alert changes the job's alert policy made of them, and
     * the requests whose event time is in [from, to).
     */
    public record Result(
            List<Anomaly> anomalies,
            List<io.llmsentinel.functions.alert.AlertEvent> alerts,
            int requestsInRange,
            Instant from,
            Instant to) {}

    public static Result write(
            String influxUrl, String database, String redisHost, int redisPort, Duration length)
            throws Exception {
        long start = Instant.now().minus(length).minus(Duration.ofMinutes(10)).toEpochMilli();
        Instant from = Instant.ofEpochMilli(start);
        Instant to = from.plus(length);
        Incident spike =
                new Incident(
                        Incident.Type.LATENCY_SPIKE,
                        "support-bot",
                        "gpt-4o",
                        start + length.toMillis() * 6 / 10,
                        start + length.toMillis() * 6 / 10 + 60_000);
        RequestDetector detector = new RequestDetector(DetectionSettings.defaults());
        OtlpTraceReader reader = new OtlpTraceReader(PriceTable.empty(), 4 << 20, 1000);
        // Keyed by the job's default dimensions, spelled out: DimensionKeySelector is a Flink
        // KeySelector, and the query API's tests run this without Flink on the classpath.
        Map<String, KeyBaseline> state = new HashMap<>();
        List<Point> points = new ArrayList<>();
        List<BaselineSnapshot> baselines = new ArrayList<>();
        List<Anomaly> anomalies = new ArrayList<>();
        int inRange = 0;
        try (TelemetryGenerator gen = new TelemetryGenerator(3, List.of(spike), 4)) {
            for (long t = start; t < to.toEpochMilli(); t += 100) {
                for (LlmRequest r : reader.read(gen.nextMessage(t)).requests()) {
                    // Event time is the span's end: the last requests end after 'to'.
                    if (r.eventTimeMs >= start && r.eventTimeMs < to.toEpochMilli()) {
                        inRange++;
                    }
                    points.add(InfluxPoints.requests("llm_requests").toPoint(r));
                    KeyBaseline b =
                            state.computeIfAbsent(
                                    r.service
                                            + "|"
                                            + r.model
                                            + "|"
                                            + r.provider
                                            + "|"
                                            + r.operation,
                                    k -> new KeyBaseline());
                    for (Anomaly a : detector.observe(b, r, t + 200, 20, baselines)) {
                        anomalies.add(a);
                        points.add(InfluxPoints.anomalies("anomalies").toPoint(a));
                    }
                }
            }
        }
        // The job's alert policy (the shipped defaults) over the anomalies, per key and metric.
        io.llmsentinel.functions.alert.AlertPolicy policy =
                io.llmsentinel.functions.config.AlertOptions.policy(
                        io.llmsentinel.functions.config.SentinelConfig.load(
                                null, Map.of(), n -> null));
        Map<String, io.llmsentinel.functions.alert.AlertState> open = new HashMap<>();
        List<io.llmsentinel.functions.alert.AlertEvent> alerts = new ArrayList<>();
        for (Anomaly a : anomalies) {
            String key = a.service + "|" + a.model + "|" + a.metric;
            var d = policy.onAnomaly(open.get(key), a);
            if (d.state() != null) {
                open.put(key, d.state());
            }
            if (d.event() != null) {
                alerts.add(d.event());
            }
        }
        for (var e : open.entrySet()) {
            var resolved = policy.onTime(e.getValue(), to.toEpochMilli()).resolved();
            if (resolved != null) { // later ones stay open
                alerts.add(resolved);
            }
        }
        for (var e : alerts) {
            points.add(InfluxPoints.alerts("alerts").toPoint(e));
        }
        try (InfluxDBClient client = InfluxDBClient.getInstance(influxUrl, null, database)) {
            for (int i = 0; i < points.size(); i += 2000) {
                client.writePoints(points.subList(i, Math.min(points.size(), i + 2000)));
            }
        }
        RedisSettings rs = new RedisSettings(redisHost, redisPort, "", 3600, 100, 1000, 1000);
        try (JedisPooled redis = new JedisPooled(redisHost, redisPort);
                Pipeline p = redis.pipelined()) {
            for (BaselineSnapshot s : baselines) {
                RedisWrites.baselines().write(p, s, rs);
            }
            for (Anomaly a : anomalies) {
                RedisWrites.recentAnomalies().write(p, a, rs);
            }
            p.sync();
        }
        return new Result(anomalies, alerts, inRange, from, to);
    }

    public static void main(String[] args) throws Exception {
        String influx = "http://127.0.0.1:8181";
        String db = "sentinel";
        String redis = "127.0.0.1:6379";
        long minutes = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--influxdb" -> influx = args[i + 1];
                case "--database" -> db = args[i + 1];
                case "--redis" -> redis = args[i + 1];
                case "--minutes" -> minutes = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String[] hp = redis.split(":");
        Result r = write(influx, db, hp[0], Integer.parseInt(hp[1]), Duration.ofMinutes(minutes));
        System.out.printf(
                "sample data: %d requests and %d anomalies from %s to %s in database %s%n",
                r.requestsInRange(), r.anomalies().size(), r.from(), r.to(), db);
    }
}
