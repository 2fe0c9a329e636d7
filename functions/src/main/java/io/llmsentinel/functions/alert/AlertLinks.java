package io.llmsentinel.functions.alert;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a person paged goes next: a link to each exemplar request in a trace viewer, built from
 * {@code alerts.trace-url-template} (e.g. a Grafana Tempo or Jaeger URL with {@code {trace_id}} and
 * {@code {span_id}}), and a runbook per anomaly type or metric ({@code alerts.runbooks.<type or
 * metric>}; the type wins). Nothing is made up when nothing is configured.
 */
public record AlertLinks(String traceUrlTemplate, Map<String, String> runbooks)
        implements Serializable {

    public static final AlertLinks NONE = new AlertLinks(null, Map.of());

    public AlertLinks {
        runbooks = new TreeMap<>(runbooks);
    }

    /** The exemplar's link, or null without a template. */
    public String traceUrl(String traceId, String spanId) {
        if (traceUrlTemplate == null || traceUrlTemplate.isBlank() || traceId == null) {
            return null;
        }
        return traceUrlTemplate
                .replace("{trace_id}", encode(traceId))
                .replace("{span_id}", spanId == null ? "" : encode(spanId));
    }

    /** The runbook of an anomaly type, else of its metric, else null. */
    public String runbook(String anomalyType, String metric) {
        String byType = anomalyType == null ? null : runbooks.get(anomalyType);
        return byType != null ? byType : metric == null ? null : runbooks.get(metric);
    }

    /** Fills an alert event's exemplar links and runbook. */
    public AlertEvent applyTo(AlertEvent e) {
        String[] urls = new String[e.exemplarTraceIds.length];
        for (int i = 0; i < urls.length; i++) {
            urls[i] =
                    traceUrl(
                            e.exemplarTraceIds[i],
                            i < e.exemplarSpanIds.length ? e.exemplarSpanIds[i] : null);
        }
        e.exemplarUrls = urls;
        e.runbookUrl = runbook(e.anomalyType, e.metric);
        return e;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
