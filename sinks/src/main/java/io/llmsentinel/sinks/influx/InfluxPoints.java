package io.llmsentinel.sinks.influx;

import com.influxdb.v3.client.Point;
import com.influxdb.v3.client.write.WritePrecision;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.DetectorFinding;
import io.llmsentinel.functions.model.LlmRequest;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * What is stored, as InfluxDB points. Tags are the low-cardinality dimensions only (service, model,
 * provider, operation, environment, and for anomalies metric, severity and type); ids and
 * measurements are fields, so series cardinality stays that of the services and models.
 *
 * <p>The timestamp is the event time in nanoseconds. A replay after a failure writes the very same
 * point again (same series, same time, same fields), which InfluxDB treats as an overwrite:
 * harmless. But two different records of one series in the same millisecond must not overwrite each
 * other (two calls of one key; two anomalies of one metric, severity and type, which real traffic
 * makes a few times an hour): the sub-millisecond part of the timestamp is taken from the span id,
 * the anomaly id or the alert id (deterministic, so a replay still lands on the same point).
 */
public final class InfluxPoints {
    /** Exemplars stored per alert point: the alert's most anomalous requests. */
    public static final int MAX_EXEMPLARS = 3;

    /**
     * Longer trace or span ids are not ids any tracer writes; such an exemplar is left out, so the
     * comma-joined fields stay short and parse back.
     */
    static final int MAX_ID_CHARS = 64;

    /** Longer links are left out rather than cut: a cut link leads nowhere. */
    static final int MAX_URL_CHARS = 2048;

    private InfluxPoints() {}

    /** Turns a record into a point; serializable so that a sink can carry it. */
    public interface Mapper<T> extends Serializable {
        Point toPoint(T value);
    }

    public static Mapper<Anomaly> anomalies(String measurement) {
        return a -> anomaly(measurement, a);
    }

    public static Mapper<AlertEvent> alerts(String measurement) {
        return e -> alert(measurement, e);
    }

    public static Mapper<LlmRequest> requests(String measurement) {
        return r -> request(measurement, r);
    }

    static Point anomaly(String measurement, Anomaly a) {
        Point p = Point.measurement(measurement);
        tag(p, "service", a.service);
        tag(p, "model", a.model);
        tag(p, "provider", a.provider);
        tag(p, "operation", a.operation);
        tag(p, "environment", a.environment);
        tag(p, "metric", a.metric);
        tag(p, "severity", a.severity);
        tag(p, "anomaly_type", a.anomalyType);
        p.setStringField("anomaly_id", a.anomalyId);
        field(p, "value", a.value);
        field(p, "score", a.score);
        field(p, "baseline_mean", a.baselineMean);
        field(p, "baseline_stddev", a.baselineStddev);
        field(p, "baseline_median", a.baselineMedian);
        field(p, "baseline_mad", a.baselineMad);
        field(p, "baseline_q1", a.baselineQ1);
        field(p, "baseline_q3", a.baselineQ3);
        p.setIntegerField("baseline_samples", a.baselineSamples);
        if (a.detectors != null && a.detectors.length > 0) {
            StringBuilder d = new StringBuilder();
            for (DetectorFinding f : a.detectors) {
                d.append(d.length() == 0 ? "" : ",").append(f.detector);
            }
            p.setStringField("detectors", d.toString());
        }
        if (a.traceId != null) {
            p.setStringField("trace_id", a.traceId);
        }
        p.setIntegerField("detected_at_ms", a.detectedAtMs);
        p.setTimestamp(a.eventTimeMs * 1_000_000L + subMillis(a.anomalyId), WritePrecision.NS);
        return p;
    }

    /**
     * An alert's change of state at its event time; the state is a tag, so opened and resolved
     * points of one alert are different series and do not overwrite each other. Where a person goes
     * next is stored with it: up to {@link #MAX_EXEMPLARS} exemplars as {@code exemplar_trace_ids}
     * and {@code exemplar_span_ids} (comma-joined, in the same order; a span id may be empty),
     * their trace-viewer links as {@code exemplar_url_1..3} (one field each: a link may hold
     * commas), and {@code runbook_url}.
     */
    static Point alert(String measurement, AlertEvent e) {
        Point p = Point.measurement(measurement);
        tag(p, "service", e.service);
        tag(p, "model", e.model);
        tag(p, "provider", e.provider);
        tag(p, "operation", e.operation);
        tag(p, "environment", e.environment);
        tag(p, "metric", e.metric);
        tag(p, "severity", e.severity);
        tag(p, "anomaly_type", e.anomalyType);
        tag(p, "state", e.state.label());
        p.setStringField("alert_id", e.alertId);
        if (e.anomaly != null) {
            p.setStringField("anomaly_id", e.anomaly.anomalyId);
        }
        field(p, "peak_value", e.peakValue);
        field(p, "peak_score", e.peakScore);
        p.setIntegerField("repeats", e.repeats);
        p.setIntegerField("duration_ms", e.durationMs());
        p.setIntegerField("opened_at_ms", e.openedAtMs);
        exemplars(p, e);
        String runbook = link(e.runbookUrl);
        if (runbook != null) {
            p.setStringField("runbook_url", runbook);
        }
        p.setTimestamp(e.eventTimeMs * 1_000_000L + subMillis(e.alertId), WritePrecision.NS);
        return p;
    }

    private static void exemplars(Point p, AlertEvent e) {
        StringBuilder traces = new StringBuilder();
        StringBuilder spans = new StringBuilder();
        int kept = 0;
        String[] traceIds = e.exemplarTraceIds == null ? new String[0] : e.exemplarTraceIds;
        for (int i = 0; i < traceIds.length && kept < MAX_EXEMPLARS; i++) {
            String trace = traceIds[i];
            String span = at(e.exemplarSpanIds, i);
            if (!id(trace) || (span != null && !span.isEmpty() && !id(span))) {
                continue;
            }
            traces.append(kept == 0 ? "" : ",").append(trace);
            spans.append(kept == 0 ? "" : ",").append(span == null ? "" : span);
            kept++;
            String url = link(at(e.exemplarUrls, i));
            if (url != null) {
                p.setStringField("exemplar_url_" + kept, url);
            }
        }
        if (kept > 0) {
            p.setStringField("exemplar_trace_ids", traces.toString());
            p.setStringField("exemplar_span_ids", spans.toString());
        }
    }

    private static String at(String[] values, int i) {
        return values == null || i >= values.length ? null : values[i];
    }

    /** A trace or span id that can be stored comma-joined. */
    private static boolean id(String s) {
        return s != null
                && !s.isEmpty()
                && s.length() <= MAX_ID_CHARS
                && s.indexOf(',') < 0
                && s.chars().noneMatch(Character::isWhitespace);
    }

    private static String link(String url) {
        return url == null || url.isBlank() || url.length() > MAX_URL_CHARS ? null : url;
    }

    static Point request(String measurement, LlmRequest r) {
        Point p = Point.measurement(measurement);
        tag(p, "service", r.service);
        tag(p, "model", r.model);
        tag(p, "provider", r.provider);
        tag(p, "operation", r.operation);
        tag(p, "environment", r.environment);
        tag(p, "status", r.error ? "error" : "ok");
        field(p, "latency_ms", r.latencyMs);
        field(p, "ttft_ms", r.ttftMs);
        field(p, "input_tokens", r.inputTokens);
        field(p, "output_tokens", r.outputTokens);
        field(p, "total_tokens", r.totalTokens());
        field(p, "cost_usd", r.costUsd);
        field(p, "output_tokens_per_second", r.outputTokensPerSecond());
        p.setIntegerField("error", r.error ? 1 : 0);
        if (r.errorType != null) {
            p.setStringField("error_type", r.errorType);
        }
        if (r.traceId != null) {
            p.setStringField("trace_id", r.traceId);
        }
        if (r.spanId != null) {
            p.setStringField("span_id", r.spanId);
        }
        p.setTimestamp(r.eventTimeMs * 1_000_000L + subMillis(r.spanId), WritePrecision.NS);
        return p;
    }

    /** 0..999,999 ns from an id: distinct records apart, a replay on the same point. */
    static long subMillis(String id) {
        if (id == null) {
            return 0;
        }
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % 1_000_000L;
    }

    private static void tag(Point p, String name, String value) {
        if (value != null && !value.isEmpty()) {
            p.setTag(name, value);
        }
    }

    private static void field(Point p, String name, double v) {
        if (Double.isFinite(v)) {
            p.setFloatField(name, v);
        }
    }
}
