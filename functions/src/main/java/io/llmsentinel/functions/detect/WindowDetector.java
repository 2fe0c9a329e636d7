package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.WindowStats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges the windowed metrics of a key, request_rate (per minute), error_rate (failed calls other
 * than rate limits), cost_per_minute, token_rate (per minute), latency_p95 (from OTLP duration
 * histograms), and the LLM-specific shares: truncation_rate and content_filter_rate (of responses
 * that said why they finished), rate_limited_rate (429s), tool_error_rate (of tool executions, on a
 * service's execute_tool key) and cache_hit_ratio (cached over input tokens), with the same
 * detectors as the per-request metrics; a share is judged only in windows with at least
 * detection.error-rate-min-requests of what it is a share of. Windows with no requests are judged
 * too (request rate and cost zero), for a few windows after the key's last request, since a stream
 * that stops is the clearest throughput drop.
 */
public final class WindowDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    private final DetectionSettings settings;
    private final MetricDetector requestRate;
    private final MetricDetector errorRate;
    private final MetricDetector costPerMinute;
    private final MetricDetector tokenRate;
    private final MetricDetector latencyP95;
    private final MetricDetector truncationRate;
    private final MetricDetector contentFilterRate;
    private final MetricDetector rateLimitedRate;
    private final MetricDetector toolErrorRate;
    private final MetricDetector cacheHitRatio;

    public WindowDetector(DetectionSettings settings) {
        this.settings = settings;
        this.requestRate = detector(settings, Metric.REQUEST_RATE);
        this.errorRate = detector(settings, Metric.ERROR_RATE);
        this.costPerMinute = detector(settings, Metric.COST_PER_MINUTE);
        this.tokenRate = detector(settings, Metric.TOKEN_RATE);
        this.latencyP95 = detector(settings, Metric.LATENCY_P95);
        this.truncationRate = detector(settings, Metric.TRUNCATION_RATE);
        this.contentFilterRate = detector(settings, Metric.CONTENT_FILTER_RATE);
        this.rateLimitedRate = detector(settings, Metric.RATE_LIMITED_RATE);
        this.toolErrorRate = detector(settings, Metric.TOOL_ERROR_RATE);
        this.cacheHitRatio = detector(settings, Metric.CACHE_HIT_RATIO);
    }

    private static MetricDetector detector(DetectionSettings s, Metric m) {
        MetricSettings ms = s.metrics().get(m);
        return ms == null ? null : new MetricDetector(m, ms);
    }

    public boolean watchesAnything() {
        return requestRate != null
                || errorRate != null
                || costPerMinute != null
                || tokenRate != null
                || latencyP95 != null
                || truncationRate != null
                || contentFilterRate != null
                || rateLimitedRate != null
                || toolErrorRate != null
                || cacheHitRatio != null;
    }

    /** A window with requests; {@code w} carries the key's dimensions and the window bounds. */
    public List<Anomaly> observe(KeyBaseline b, WindowStats w, long nowMs) {
        List<Anomaly> out = new ArrayList<>(0);
        int min = settings.errorRateMinRequests();
        if (w.toolExecutions >= min) {
            judge(b, toolErrorRate, (double) w.toolErrors / w.toolExecutions, w, nowMs, out);
        }
        if (w.toolsOnly()) {
            // a tool key: its windows say how tools fare, not how much traffic there is
            b.lastWindowEndMs = Math.max(b.lastWindowEndMs, w.windowEndMs);
            b.lastEventTimeMs = Math.max(b.lastEventTimeMs, w.windowEndMs - 1);
            b.emptyWindowsJudged = 0;
            return out;
        }
        if (w.finishKnown >= min) {
            judge(b, truncationRate, (double) w.truncated / w.finishKnown, w, nowMs, out);
            judge(b, contentFilterRate, (double) w.contentFiltered / w.finishKnown, w, nowMs, out);
        }
        if (w.requests >= min) {
            judge(b, rateLimitedRate, (double) w.rateLimited / w.requests, w, nowMs, out);
        }
        if (w.cacheKnown >= min && w.cacheInputTokens > 0) {
            judge(b, cacheHitRatio, w.cachedTokens / w.cacheInputTokens, w, nowMs, out);
        }
        double minutes = w.minutes();
        long calls = w.callsCounted();
        judge(b, requestRate, calls / minutes, w, nowMs, out);
        if (calls >= settings.errorRateMinRequests()) {
            judge(b, errorRate, (double) w.errorsCounted() / calls, w, nowMs, out);
        }
        if (w.costKnown > 0) {
            judge(b, costPerMinute, w.costUsd / minutes, w, nowMs, out);
        }
        double tokens = w.tokensCounted();
        if (!Double.isNaN(tokens)) {
            judge(b, tokenRate, tokens / minutes, w, nowMs, out);
        }
        if (w.latencyBuckets != null) {
            double p95 =
                    io.llmsentinel.functions.read.MetricDeltas.quantile(
                            w.latencyBounds, w.latencyBuckets, 0.95, Double.NaN, w.latencyMax);
            if (!Double.isNaN(p95)) {
                judge(b, latencyP95, p95, w, nowMs, out);
            }
        }
        b.lastWindowEndMs = Math.max(b.lastWindowEndMs, w.windowEndMs);
        b.lastEventTimeMs = Math.max(b.lastEventTimeMs, w.windowEndMs - 1);
        b.emptyWindowsJudged = 0;
        return out;
    }

    /** A window in which the key sent nothing; {@code template} carries the dimensions. */
    public List<Anomaly> observeEmpty(
            KeyBaseline b, WindowStats template, long windowEndMs, long nowMs) {
        WindowStats w = new WindowStats();
        w.merge(template);
        w.requests = 0;
        w.errors = 0;
        w.costUsd = 0;
        w.costKnown = 0;
        w.metricCalls = 0;
        w.metricErrors = 0;
        w.windowEndMs = windowEndMs;
        w.windowStartMs = windowEndMs - settings.windowSizeMs();
        List<Anomaly> out = new ArrayList<>(0);
        if (b.peek(Metric.REQUEST_RATE) != null) { // not a tool key, which has no request rate
            judge(b, requestRate, 0, w, nowMs, out);
        }
        if (b.peek(Metric.COST_PER_MINUTE) != null) {
            judge(b, costPerMinute, 0, w, nowMs, out);
        }
        b.lastWindowEndMs = windowEndMs;
        b.emptyWindowsJudged++;
        return out;
    }

    private static void judge(
            KeyBaseline b,
            MetricDetector d,
            double x,
            WindowStats w,
            long nowMs,
            List<Anomaly> out) {
        if (d == null) {
            return;
        }
        Evaluation e = d.evaluate(b.forMetric(d.metric()), x, w.windowEndMs - 1, null);
        if (e.anomalous()) {
            Anomaly a =
                    Anomaly.of(d.metric(), x, e, w.windowEndMs - 1, nowMs)
                            .withDimensions(
                                    w.service,
                                    w.model,
                                    w.provider,
                                    w.operation,
                                    w.environment,
                                    w.namespace);
            out.add(a.assignId());
        }
    }
}
