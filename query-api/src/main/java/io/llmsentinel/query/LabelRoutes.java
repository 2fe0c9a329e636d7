package io.llmsentinel.query;

import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Acknowledging and labelling alerts (any token), and labelled precision. Both are kept in InfluxDB
 * only: the job never reads them, so they stay out of the control topic and the job's state. The
 * author is the token's name.
 */
final class LabelRoutes {
    static final Set<String> LABELS = Set.of("true_positive", "false_positive");

    private final InfluxQueries influx;
    private final QueryCache cache;
    private final ApiMetrics metrics;

    private volatile String precisionMetrics = "";
    private volatile long precisionMetricsAtMs;

    LabelRoutes(InfluxQueries influx, QueryCache cache, ApiMetrics metrics) {
        this.influx = influx;
        this.cache = cache;
        this.metrics = metrics;
    }

    void ack(Context ctx) {
        record(ctx, "ack", CommandBody.Kind.ACK);
    }

    void feedback(Context ctx) {
        record(ctx, "feedback", CommandBody.Kind.FEEDBACK);
    }

    /**
     * Stores an acknowledgement or a label of an alert (its id is its opening anomaly's): the same
     * point again for the same alert and kind, so a repeat or a relabel overwrites. Answers 202
     * with what was stored.
     */
    private void record(Context ctx, String kind, CommandBody.Kind shape) {
        String id = ctx.pathParam("id");
        Params.checkId(id);
        Caller caller = Caller.of(ctx);
        CommandBody body = CommandBody.read(ctx.body(), shape, true).authoredBy(caller, null);
        String label = body.text("label");
        if (kind.equals("feedback") && (label == null || !LABELS.contains(label))) {
            throw Problem.badField("label", "'label' must be one of " + LABELS);
        }
        Map<String, Object> anomaly = influx.anomaly(id);
        if (anomaly == null) {
            throw Problem.notFound("no anomaly with id " + id);
        }
        InfluxQueries.AlertLabel stored =
                new InfluxQueries.AlertLabel(
                        id,
                        kind,
                        caller.name(),
                        body.text("on_behalf_of"),
                        label,
                        body.text("note"),
                        System.currentTimeMillis());
        influx.writeLabel(anomaly, stored);
        cache.invalidate("labels");
        precisionMetricsAtMs = 0; // the next scrape reads the new counts
        ctx.status(202).json(json(stored));
    }

    /** The stored acknowledgement or label as the API shows it. */
    static Map<String, Object> json(InfluxQueries.AlertLabel l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", l.anomalyId());
        m.put("kind", l.kind());
        m.put("author", l.author());
        putIfPresent(m, "on_behalf_of", l.onBehalfOf());
        putIfPresent(m, "label", l.label());
        putIfPresent(m, "note", l.note());
        if (l.atMs() != null) {
            m.put("at", Instant.ofEpochMilli(l.atMs()).toString());
        }
        return m;
    }

    private static void putIfPresent(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** Labelled precision per service and metric: true / (true + false) positives. */
    void labels(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        cache.answer(ctx, "labels", () -> Map.of("items", influx.labelledPrecision()));
    }

    /**
     * Labelled precision per service and metric for Prometheus, read from InfluxDB at most every 30
     * s; nothing when InfluxDB cannot answer (the scrape itself never fails on it).
     */
    String prometheus() {
        if (System.currentTimeMillis() - precisionMetricsAtMs > 30_000) {
            precisionMetricsAtMs = System.currentTimeMillis();
            try {
                StringBuilder b = new StringBuilder();
                b.append("# HELP sentinel_labelled_precision True positives / labelled alerts, per")
                        .append(" service and metric (90 days)\n")
                        .append("# TYPE sentinel_labelled_precision gauge\n");
                StringBuilder counts =
                        new StringBuilder(
                                "# HELP sentinel_labels Alerts labelled, per service, metric and label\n"
                                        + "# TYPE sentinel_labels gauge\n");
                for (Map<String, Object> m : influx.labelledPrecision()) {
                    String labels =
                            "service=\""
                                    + escape(m.get("service"))
                                    + "\",metric=\""
                                    + escape(m.get("metric"))
                                    + "\"";
                    if (m.get("precision") != null) {
                        b.append("sentinel_labelled_precision{")
                                .append(labels)
                                .append("} ")
                                .append(m.get("precision"))
                                .append('\n');
                    }
                    counts.append("sentinel_labels{")
                            .append(labels)
                            .append(",label=\"true_positive\"} ")
                            .append(m.get("true_positives"))
                            .append('\n');
                    counts.append("sentinel_labels{")
                            .append(labels)
                            .append(",label=\"false_positive\"} ")
                            .append(m.get("false_positives"))
                            .append('\n');
                }
                precisionMetrics = b.append(counts).toString();
            } catch (RuntimeException e) {
                metrics.backendError("influxdb");
            }
        }
        return precisionMetrics;
    }

    private static String escape(Object v) {
        return String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
