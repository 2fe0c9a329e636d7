package io.llmsentinel.query;

import com.influxdb.v3.client.InfluxDBClient;
import com.influxdb.v3.client.config.ClientConfig;
import com.influxdb.v3.client.query.QueryOptions;
import com.influxdb.v3.client.query.QueryType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The InfluxDB side, through {@code influxdb3-java} with InfluxQL: every value from a request is a
 * bound parameter ({@code $name}); the only things written into a query's text are measurement and
 * field names from the configuration or fixed lists, validated numbers (limit, offset) and
 * intervals from a fixed list.
 */
public final class InfluxQueries implements AutoCloseable {
    /** Intervals of aggregated telemetry, as InfluxQL durations. */
    /** Exemplars an alert shows at most (the job stores 3). */
    static final int MAX_EXEMPLARS = 3;

    public static final Map<String, String> INTERVALS = Map.of("1m", "1m", "5m", "5m", "1h", "1h");

    /** Fields of the per-request measurement, as written by the job's InfluxDB sink. */
    static final List<String> REQUEST_FIELDS =
            List.of(
                    "latency_ms",
                    "ttft_ms",
                    "input_tokens",
                    "output_tokens",
                    "total_tokens",
                    "cost_usd",
                    "output_tokens_per_second",
                    "error");

    private final InfluxDBClient client;
    private final QueryOptions options;
    private final String anomalies;
    private final String requests;
    private final String labels;
    private final String alerts;

    public InfluxQueries(QueryApiConfig c) {
        ClientConfig config =
                new ClientConfig.Builder()
                        .host(c.influxHost())
                        .token(c.influxToken())
                        .database(c.influxDatabase())
                        .queryTimeout(c.queryTimeout())
                        .timeout(c.queryTimeout())
                        .build();
        this.client = InfluxDBClient.getInstance(config);
        this.options = new QueryOptions(c.influxDatabase(), QueryType.InfluxQL);
        this.anomalies = quoteIdentifier(c.anomaliesMeasurement());
        this.requests = quoteIdentifier(c.requestsMeasurement());
        this.labelsMeasurement = c.labelsMeasurement();
        this.labels = quoteIdentifier(c.labelsMeasurement());
        this.alerts =
                c.alertsMeasurement() == null || c.alertsMeasurement().isBlank()
                        ? null
                        : quoteIdentifier(c.alertsMeasurement());
    }

    private final String labelsMeasurement;

    /**
     * An acknowledgement ({@code kind} ack) or a label ({@code kind} feedback, {@code label}
     * true_positive or false_positive) of an alert, whose id is the id of the anomaly that opened
     * it. {@code author} is the name of the token that made it; {@code onBehalfOf} whom the caller
     * said it was for; {@code atMs} when it was made (null in points written before it was kept).
     */
    public record AlertLabel(
            String anomalyId,
            String kind,
            String author,
            String onBehalfOf,
            String label,
            String note,
            Long atMs) {}

    /**
     * Writes an acknowledgement or a label as a point of the labels measurement: tags service,
     * model, provider, operation, metric, kind; fields anomaly_id, author, on_behalf_of, label,
     * note, at_ms. Its time is the anomaly's event time plus a sub-millisecond part from its id, so
     * the same anomaly's ack (or label) is always the same point: a repeat or a relabel overwrites
     * it.
     */
    public void writeLabel(Map<String, Object> anomaly, AlertLabel l) {
        com.influxdb.v3.client.Point p =
                com.influxdb.v3.client.Point.measurement(labelsMeasurement);
        for (String k : List.of("service", "model", "provider", "operation", "metric")) {
            Object v = anomaly.get(k);
            if (v != null && !String.valueOf(v).isEmpty()) {
                p.setTag(k, String.valueOf(v));
            }
        }
        p.setTag("kind", l.kind());
        String id = l.anomalyId();
        p.setStringField("anomaly_id", id);
        p.setStringField("author", l.author());
        if (l.onBehalfOf() != null) {
            p.setStringField("on_behalf_of", l.onBehalfOf());
        }
        if (l.label() != null) {
            p.setStringField("label", l.label());
        }
        if (l.note() != null) {
            p.setStringField("note", l.note());
        }
        if (l.atMs() != null) {
            p.setIntegerField("at_ms", l.atMs());
        }
        Instant t = Instant.parse(String.valueOf(anomaly.get("event_time")));
        long nanos = t.toEpochMilli() * 1_000_000L + Math.floorMod(id.hashCode(), 1_000_000);
        p.setTimestamp(nanos, com.influxdb.v3.client.write.WritePrecision.NS);
        client.writePoint(p);
    }

    /**
     * The acknowledgements and labels of alerts opened in [from, to]: a point's time is its alert's
     * opening (the opening anomaly's event time), so this finds those of a page of alerts.
     */
    public List<AlertLabel> labels(Instant from, Instant to) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("from", from.toString());
        params.put("to", to.toString());
        List<AlertLabel> out = new ArrayList<>();
        // SELECT *: fields added later (on_behalf_of, at_ms) are in no point written before them.
        for (Map<String, Object> r :
                rows(
                        "SELECT * FROM "
                                + labels
                                + " WHERE time >= $from AND time <= $to LIMIT 10000",
                        params)) {
            Object at = r.get("at_ms");
            out.add(
                    new AlertLabel(
                            text(r.get("anomaly_id")),
                            text(r.get("kind")),
                            text(r.get("author")),
                            text(r.get("on_behalf_of")),
                            text(r.get("label")),
                            text(r.get("note")),
                            at instanceof Number n ? n.longValue() : null));
        }
        return out;
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }

    /**
     * The alerts of a time range, newest change first: each alert once, in its latest state (open
     * after opened or escalated, else resolved), with when it opened, its peak, its exemplars and
     * runbook ({@link #alertJson}).
     */
    public List<Map<String, Object>> alerts(Instant from, Instant to, int limit) {
        if (alerts == null) {
            return List.of();
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("from", from.toString());
        params.put("to", to.toString());
        Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
        for (Map<String, Object> r :
                rows(
                        "SELECT * FROM "
                                + alerts
                                + " WHERE time >= $from AND time < $to ORDER BY time DESC LIMIT 5000",
                        params)) {
            String id = String.valueOf(r.get("alert_id"));
            Map<String, Object> seen = latest.get(id);
            if (seen != null) {
                // An earlier change of the same alert: its links, if the latest had none.
                withLinksOf(seen, r);
                continue;
            }
            if (latest.size() >= limit) {
                continue;
            }
            latest.put(id, alertJson(r));
        }
        return new ArrayList<>(latest.values());
    }

    /**
     * One stored alert change as the API shows it: its state, key and peak, {@code exemplars:
     * [{trace_id, span_id, url}]} (empty when none was stored) and {@code runbook_url} (when one
     * was configured).
     */
    static Map<String, Object> alertJson(Map<String, Object> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", String.valueOf(r.get("alert_id")));
        String state = String.valueOf(r.get("state"));
        m.put("state", state.equals("resolved") ? "resolved" : "open");
        m.put("last_change", state);
        m.put("time", eventTime(r.get("time")));
        for (String k :
                List.of("severity", "anomaly_type", "service", "model", "provider", "metric")) {
            putIfPresent(m, k, r.get(k));
        }
        putIfPresent(m, "peak_value", r.get("peak_value"));
        putIfPresent(m, "repeats", r.get("repeats"));
        Object opened = r.get("opened_at_ms");
        if (opened instanceof Number n) {
            m.put("opened_at", Instant.ofEpochMilli(n.longValue()).toString());
        }
        m.put("exemplars", exemplars(r));
        putIfPresent(m, "runbook_url", nonBlank(r.get("runbook_url")));
        return m;
    }

    /** Fills an alert's empty exemplars and missing runbook from another stored change of it. */
    static void withLinksOf(Map<String, Object> alert, Map<String, Object> r) {
        if (alert.get("exemplars") instanceof List<?> l && l.isEmpty()) {
            alert.put("exemplars", exemplars(r));
        }
        if (!alert.containsKey("runbook_url")) {
            putIfPresent(alert, "runbook_url", nonBlank(r.get("runbook_url")));
        }
    }

    /**
     * The exemplars of a stored alert change: {@code exemplar_trace_ids} and {@code
     * exemplar_span_ids} comma-joined in the same order, the links in {@code exemplar_url_1..3}
     * (see the sinks' {@code InfluxPoints}).
     */
    static List<Map<String, Object>> exemplars(Map<String, Object> r) {
        String traces = nonBlank(r.get("exemplar_trace_ids"));
        if (traces == null) {
            return List.of();
        }
        String spans = nonBlank(r.get("exemplar_span_ids"));
        String[] traceIds = traces.split(",", -1);
        String[] spanIds = spans == null ? new String[0] : spans.split(",", -1);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < traceIds.length && out.size() < MAX_EXEMPLARS; i++) {
            if (traceIds[i].isBlank()) {
                continue;
            }
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("trace_id", traceIds[i]);
            putIfPresent(x, "span_id", i < spanIds.length ? nonBlank(spanIds[i]) : null);
            putIfPresent(x, "url", nonBlank(r.get("exemplar_url_" + (i + 1))));
            out.add(x);
        }
        return out;
    }

    private static String nonBlank(Object v) {
        return v == null || v.toString().isBlank() ? null : v.toString();
    }

    /** Feedback per service and metric over 90 days: counts and precision. */
    public List<Map<String, Object>> labelledPrecision() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("from", Instant.now().minus(Duration.ofDays(90)).toString());
        params.put("kind", "feedback");
        Map<String, long[]> counts = new java.util.TreeMap<>();
        for (Map<String, Object> r :
                rows(
                        "SELECT \"label\", \"service\", \"metric\" FROM "
                                + labels
                                + " WHERE time >= $from AND \"kind\" = $kind",
                        params)) {
            String key = r.get("service") + "\u001f" + r.get("metric");
            long[] c = counts.computeIfAbsent(key, k -> new long[2]);
            if ("true_positive".equals(String.valueOf(r.get("label")))) {
                c[0]++;
            } else if ("false_positive".equals(String.valueOf(r.get("label")))) {
                c[1]++;
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        counts.forEach(
                (k, c) -> {
                    String[] parts = k.split("\u001f", 2);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("service", parts[0]);
                    m.put("metric", parts[1]);
                    m.put("true_positives", c[0]);
                    m.put("false_positives", c[1]);
                    m.put("precision", c[0] + c[1] == 0 ? null : (double) c[0] / (c[0] + c[1]));
                    out.add(m);
                });
        return out;
    }

    /** A measurement name from the configuration, as an InfluxQL identifier. */
    static String quoteIdentifier(String name) {
        if (!name.matches("[A-Za-z0-9_.-]{1,100}")) {
            throw new IllegalArgumentException("measurement names are letters, digits, . _ -");
        }
        return "\"" + name + "\"";
    }

    /** Filters shared by the anomaly queries, as InfluxQL conditions with bound parameters. */
    public record AnomalyFilter(
            Instant from,
            Instant to,
            String service,
            String model,
            String provider,
            String metric,
            String minSeverity,
            String type,
            String detector) {}

    /** One page of anomalies, newest first, and the cursor of the next page (or null). */
    public record Page(List<Map<String, Object>> items, String nextCursor) {}

    public Page anomalies(AnomalyFilter f, int limit, String cursor) {
        Map<String, Object> params = new LinkedHashMap<>();
        StringBuilder q = new StringBuilder("SELECT * FROM ").append(anomalies);
        q.append(" WHERE time >= $from AND time < $to");
        params.put("from", f.from().toString());
        params.put("to", f.to().toString());
        long skip = 0;
        Instant at = null;
        if (cursor != null) {
            String[] c = decodeCursor(cursor);
            at = Instant.parse(c[0]);
            skip = Long.parseLong(c[1]);
            q.append(" AND time <= $cursor");
            params.put("cursor", at.toString());
        }
        equal(q, params, "service", f.service());
        equal(q, params, "model", f.model());
        equal(q, params, "provider", f.provider());
        equal(q, params, "metric", f.metric());
        equal(q, params, "anomaly_type", f.type());
        if (f.minSeverity() != null) {
            List<String> wanted =
                    Params.SEVERITIES.subList(
                            Params.SEVERITIES.indexOf(f.minSeverity()), Params.SEVERITIES.size());
            q.append(" AND (");
            for (int i = 0; i < wanted.size(); i++) {
                q.append(i == 0 ? "" : " OR ").append("\"severity\" = $severity").append(i);
                params.put("severity" + i, wanted.get(i));
            }
            q.append(")");
        }
        if (f.detector() != null) {
            // A regex cannot be a bound parameter; the detector name comes from a fixed list.
            if (!Params.DETECTORS.contains(f.detector())) {
                throw new IllegalArgumentException("unknown detector");
            }
            q.append(" AND \"detectors\" =~ /(^|,)").append(f.detector()).append("(,|$)/");
        }
        q.append(" ORDER BY time DESC LIMIT ").append(limit + 1);
        if (skip > 0) {
            q.append(" OFFSET ").append(skip);
        }
        List<Map<String, Object>> rows = rows(q.toString(), params);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Instant last = (Instant) rows.get(limit - 1).get("time");
            long sameTime = rows.stream().filter(r -> last.equals(r.get("time"))).count();
            long carried = last.equals(at) ? skip : 0;
            next = encodeCursor(last, sameTime + carried);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            items.add(anomalyJson(r));
        }
        return new Page(items, next);
    }

    public Map<String, Object> anomaly(String id) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", id);
        params.put("from", Instant.now().minus(Duration.ofDays(90)).toString());
        List<Map<String, Object>> rows =
                rows(
                        "SELECT * FROM "
                                + anomalies
                                + " WHERE time >= $from AND \"anomaly_id\" = $id LIMIT 1",
                        params);
        return rows.isEmpty() ? null : anomalyJson(rows.get(0));
    }

    /** Raw requests, newest first. */
    public List<Map<String, Object>> requests(
            Instant from, Instant to, String service, String model, int limit) {
        Map<String, Object> params = new LinkedHashMap<>();
        StringBuilder q = new StringBuilder("SELECT * FROM ").append(requests);
        q.append(" WHERE time >= $from AND time < $to");
        params.put("from", from.toString());
        params.put("to", to.toString());
        equal(q, params, "service", service);
        equal(q, params, "model", model);
        q.append(" ORDER BY time DESC LIMIT ").append(limit);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rows(q.toString(), params)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", r.get("time").toString());
            for (String k :
                    List.of("service", "model", "provider", "operation", "environment", "status")) {
                putIfPresent(m, k, r.get(k));
            }
            for (String k : REQUEST_FIELDS) {
                putIfPresent(m, k, r.get(k));
            }
            putIfPresent(m, "trace_id", r.get("trace_id"));
            out.add(m);
        }
        return out;
    }

    /** Requests aggregated per interval (oldest first): count, errors, latency, tokens, cost. */
    public List<Map<String, Object>> aggregated(
            Instant from, Instant to, String service, String model, String interval) {
        Map<String, Object> params = new LinkedHashMap<>();
        StringBuilder q =
                new StringBuilder(
                        "SELECT count(\"error\") AS requests, sum(\"error\") AS errors,"
                                + " mean(\"latency_ms\") AS latency_ms_mean,"
                                + " percentile(\"latency_ms\", 95) AS latency_ms_p95,"
                                + " mean(\"ttft_ms\") AS ttft_ms_mean,"
                                + " sum(\"total_tokens\") AS total_tokens,"
                                + " sum(\"cost_usd\") AS cost_usd FROM ");
        q.append(requests).append(" WHERE time >= $from AND time < $to");
        params.put("from", from.toString());
        params.put("to", to.toString());
        equal(q, params, "service", service);
        equal(q, params, "model", model);
        q.append(" GROUP BY time(").append(INTERVALS.get(interval)).append(") fill(none)");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rows(q.toString(), params)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", r.get("time").toString());
            for (String k :
                    List.of(
                            "requests",
                            "errors",
                            "latency_ms_mean",
                            "latency_ms_p95",
                            "ttft_ms_mean",
                            "total_tokens",
                            "cost_usd")) {
                putIfPresent(m, k, r.get(k));
            }
            out.add(m);
        }
        return out;
    }

    /** The services that have anomalies on record (when Redis, the usual source, is down). */
    public List<String> services() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r :
                rows("SHOW TAG VALUES FROM " + anomalies + " WITH KEY = \"service\"", Map.of())) {
            Object v = r.get("value");
            if (v != null) {
                out.add(v.toString());
            }
        }
        return out;
    }

    private static void equal(
            StringBuilder q, Map<String, Object> params, String column, String value) {
        if (value != null) {
            q.append(" AND \"").append(column).append("\" = $").append(column);
            params.put(column, value);
        }
    }

    private List<Map<String, Object>> rows(String influxql, Map<String, Object> params) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Stream<Map<String, Object>> s = client.queryRows(influxql, params, options)) {
            s.forEach(
                    row -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        row.forEach((k, v) -> m.put(k, normalize(k, v)));
                        out.add(m);
                    });
        }
        return out;
    }

    /** Arrow values as plain Java: text as String, timestamps as Instant. */
    static Object normalize(String column, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC);
        }
        if ("time".equals(column) && v instanceof Long ns) {
            return Instant.ofEpochSecond(0, ns);
        }
        if ("time".equals(column) && v instanceof BigInteger ns) {
            return Instant.ofEpochSecond(0, ns.longValue());
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof Instant) {
            return v;
        }
        return v.toString();
    }

    /**
     * A stored point's event time as the job's own records give it, in whole milliseconds: the
     * points' sub-millisecond part only keeps two records of one series in one millisecond apart
     * (InfluxPoints) and is not part of the event. Paging still uses the stored time.
     */
    static String eventTime(Object time) {
        return time instanceof Instant t
                ? t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString()
                : String.valueOf(time);
    }

    private static void putIfPresent(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** A stored anomaly in the shape of the job's anomaly events (snake_case). */
    static Map<String, Object> anomalyJson(Map<String, Object> r) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("anomaly_id", r.get("anomaly_id"));
        a.put("event_time", eventTime(r.get("time")));
        Object detected = r.get("detected_at_ms");
        if (detected instanceof Number n) {
            a.put("detected_at", Instant.ofEpochMilli(n.longValue()).toString());
        }
        for (String k :
                List.of(
                        "severity",
                        "anomaly_type",
                        "service",
                        "model",
                        "provider",
                        "operation",
                        "environment",
                        "metric",
                        "value",
                        "score")) {
            putIfPresent(a, k, r.get(k));
        }
        Object d = r.get("detectors");
        a.put("detectors", d == null ? List.of() : List.of(d.toString().split(",")));
        Map<String, Object> baseline = new LinkedHashMap<>();
        for (String k : List.of("mean", "stddev", "median", "mad", "q1", "q3", "samples")) {
            putIfPresent(baseline, k, r.get("baseline_" + k));
        }
        a.put("baseline", baseline);
        putIfPresent(a, "trace_id", r.get("trace_id"));
        return a;
    }

    static String encodeCursor(Instant t, long skip) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((t + "|" + skip).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor's time and rows to skip; a 400 for anything this service did not write. */
    static String[] decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] p = s.split("\\|");
            if (p.length == 2) {
                Instant.parse(p[0]);
                if (Long.parseLong(p[1]) >= 0 && Long.parseLong(p[1]) < 1_000_000) {
                    return p;
                }
            }
        } catch (RuntimeException ignored) {
            // below
        }
        throw Problem.badParameter("cursor", "'cursor' must be a next_cursor from a previous page");
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
