package io.llmsentinel.query;

import io.javalin.http.Context;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts of a time range, each once in its latest state, with its acknowledgement and label:
 * all from InfluxDB (the alerts the job wrote, the acknowledgements and labels the API wrote).
 */
final class AlertRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AlertRoutes.class);

    private final InfluxQueries influx;
    private final QueryCache cache;
    private final ApiMetrics metrics;

    AlertRoutes(InfluxQueries influx, QueryCache cache, ApiMetrics metrics) {
        this.influx = influx;
        this.cache = cache;
        this.metrics = metrics;
    }

    void alerts(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("from", "to", "limit"));
        Instant[] range = p.range(cache.now());
        int limit = p.limit(100, 1000);
        List<Map<String, Object>> items = influx.alerts(range[0], range[1], limit);
        if (!items.isEmpty()) {
            Instant[] opened = openedSpan(items);
            List<InfluxQueries.AlertLabel> labels;
            try {
                labels = influx.labels(opened[0], opened[1]);
            } catch (RuntimeException e) {
                // Most likely no label was ever written (no measurement yet); the alerts still go.
                metrics.backendError("influxdb");
                LOG.debug("labels of alerts opened {}..{}: {}", opened[0], opened[1], e.toString());
                labels = List.of();
            }
            withLabels(items, labels);
        }
        ctx.json(Map.of("items", items));
    }

    /**
     * From the earliest to just after the latest opening of these alerts: where their
     * acknowledgements and labels are stored (at the opening anomaly's event time).
     */
    static Instant[] openedSpan(List<Map<String, Object>> alerts) {
        Instant first = Instant.MAX;
        Instant last = Instant.MIN;
        for (Map<String, Object> a : alerts) {
            Object t = a.get("opened_at") != null ? a.get("opened_at") : a.get("time");
            Instant opened = Instant.parse(String.valueOf(t));
            first = opened.isBefore(first) ? opened : first;
            last = opened.isAfter(last) ? opened : last;
        }
        return new Instant[] {first, last.plusMillis(1)};
    }

    /**
     * Adds to each alert its acknowledgement ({@code acknowledged: {by, at, on_behalf_of, note}})
     * and label ({@code label}, {@code labelled_by}); of several for one alert, the latest.
     */
    static void withLabels(
            List<Map<String, Object>> alerts, List<InfluxQueries.AlertLabel> labels) {
        Map<String, InfluxQueries.AlertLabel> acks = new HashMap<>();
        Map<String, InfluxQueries.AlertLabel> feedback = new HashMap<>();
        for (InfluxQueries.AlertLabel l : labels) {
            if (l.anomalyId() == null) {
                continue;
            }
            Map<String, InfluxQueries.AlertLabel> byAlert =
                    "feedback".equals(l.kind()) ? feedback : "ack".equals(l.kind()) ? acks : null;
            if (byAlert != null) {
                byAlert.merge(l.anomalyId(), l, AlertRoutes::later);
            }
        }
        for (Map<String, Object> a : alerts) {
            String id = String.valueOf(a.get("alert_id"));
            InfluxQueries.AlertLabel ack = acks.get(id);
            if (ack != null) {
                Map<String, Object> by = new LinkedHashMap<>();
                by.put("by", ack.author());
                if (ack.atMs() != null) {
                    by.put("at", Instant.ofEpochMilli(ack.atMs()).toString());
                }
                if (ack.onBehalfOf() != null) {
                    by.put("on_behalf_of", ack.onBehalfOf());
                }
                if (ack.note() != null) {
                    by.put("note", ack.note());
                }
                a.put("acknowledged", by);
            }
            InfluxQueries.AlertLabel label = feedback.get(id);
            if (label != null && label.label() != null) {
                a.put("label", label.label());
                a.put("labelled_by", label.author());
            }
        }
    }

    private static InfluxQueries.AlertLabel later(
            InfluxQueries.AlertLabel a, InfluxQueries.AlertLabel b) {
        long ta = a.atMs() == null ? Long.MIN_VALUE : a.atMs();
        long tb = b.atMs() == null ? Long.MIN_VALUE : b.atMs();
        return tb >= ta ? b : a;
    }
}
