package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.demo.DeliveryLog;
import io.llmsentinel.functions.model.RedisKeys;
import io.llmsentinel.testkit.InfluxV1;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the job has written to the stores it is not told back about: InfluxDB (alert changes and
 * anomalies, read from the InfluxDB 1.x behind the translator) and Redis (each service's recent
 * anomalies). Each poll appends what it sees for the first time to a {@link DeliveryLog}, so the
 * soak knows, to within a poll, when each arrived.
 *
 * <p>Ids: an anomaly by its {@code anomaly_id}; an alert change by {@link #alertChangeId}, since
 * InfluxDB keeps one point per series and time.
 */
final class StoreProbe {
    static final String INFLUX_ALERTS = "influxdb-alerts";
    static final String INFLUX_ANOMALIES = "influxdb-anomalies";
    static final String REDIS_ANOMALIES = "redis-anomalies";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String influxUrl;
    private final String database;
    private final String alertsMeasurement;
    private final String anomaliesMeasurement;
    private final String redisHost;
    private final int redisPort;
    private final long sinceMs;
    private final Set<String> seen = new HashSet<>();

    /**
     * @param sinceMs only points of this event time or later (the run's own, history included)
     */
    StoreProbe(
            String influxUrl,
            String database,
            String alertsMeasurement,
            String anomaliesMeasurement,
            String redisHost,
            int redisPort,
            long sinceMs) {
        this.influxUrl = influxUrl;
        this.database = database;
        this.alertsMeasurement = alertsMeasurement;
        this.anomaliesMeasurement = anomaliesMeasurement;
        this.redisHost = redisHost;
        this.redisPort = redisPort;
        this.sinceMs = sinceMs;
    }

    /** The id an alert change has in every accounting of the soak: alert, state, event time. */
    static String alertChangeId(String alertId, String state, long eventTimeMs) {
        return alertId + ":" + state + ":" + eventTimeMs;
    }

    /**
     * The id of an alert change from a row of {@code SELECT alert_id, "state"} as InfluxDB 1.x
     * answers it: the time first, as RFC 3339 (with the sub-millisecond part the job adds, which
     * the job's own record does not have).
     */
    static String alertChangeId(JsonNode row) {
        return alertChangeId(row.get(1).asText(), row.get(2).asText(), epochMs(row.get(0)));
    }

    /**
     * One poll of each store; what is new goes to {@code log}. A store that is away (the soak took
     * it away) is skipped until the next poll.
     */
    void poll(DeliveryLog log) throws InterruptedException {
        try {
            for (JsonNode row :
                    influx(
                            "SELECT alert_id, \"state\" FROM \""
                                    + alertsMeasurement
                                    + "\" WHERE time >= "
                                    + sinceMs
                                    + "ms")) {
                note(log, INFLUX_ALERTS, alertChangeId(row));
            }
            for (JsonNode row :
                    influx(
                            "SELECT anomaly_id FROM \""
                                    + anomaliesMeasurement
                                    + "\" WHERE time >= "
                                    + sinceMs
                                    + "ms")) {
                note(log, INFLUX_ANOMALIES, row.get(1).asText());
            }
        } catch (IOException away) {
            // InfluxDB is away: the next poll sees what arrives meanwhile
        }
        try (JedisPooled redis = new JedisPooled(redisHost, redisPort)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match(RedisKeys.recentAnomalies("*")).count(100);
            do {
                ScanResult<String> page = redis.scan(cursor, match);
                for (String key : page.getResult()) {
                    for (String anomaly : redis.lrange(key, 0, -1)) {
                        JsonNode a = JSON.readTree(anomaly);
                        note(log, REDIS_ANOMALIES, a.path("anomaly_id").asText());
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        } catch (RuntimeException | IOException away) {
            // Redis is away
        }
    }

    private void note(DeliveryLog log, String store, String id) {
        if (!id.isEmpty() && seen.add(store + "|" + id)) {
            log.add(id, store, false);
        }
    }

    /** The rows of an InfluxQL query, time first; empty when the measurement is. */
    private List<JsonNode> influx(String query) throws IOException, InterruptedException {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode v :
                InfluxV1.query(influxUrl, database, query)
                        .path("results")
                        .path(0)
                        .path("series")
                        .path(0)
                        .path("values")) {
            rows.add(v);
        }
        return rows;
    }

    /** A point's time as InfluxDB 1.x answers it (RFC 3339), in epoch ms. */
    static long epochMs(JsonNode time) {
        return Instant.parse(time.asText()).toEpochMilli();
    }
}
