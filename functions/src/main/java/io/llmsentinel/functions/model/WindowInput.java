package io.llmsentinel.functions.model;

import io.llmsentinel.functions.flink.ExplicitTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the windowed metrics count, and only that: a key's dimensions and one request's (or one
 * metric interval's) contribution. Much smaller than a {@link LlmRequest} on the wire, so the
 * window's shuffle carries no trace ids, text or per-request measurements. Flink serializes it with
 * {@link io.llmsentinel.functions.flink.WindowInputSerializer} (fields in a fixed order).
 */
@TypeInfo(ExplicitTypeInfo.ForWindowInput.class)
public class WindowInput {
    public String service;
    public String model;
    public String provider;
    public String operation;
    public String environment;
    public String namespace;

    /** Event time: a request's end, or a metric interval's end. */
    public long eventTimeMs;

    /** A request from a span or event: 1; a metric interval: 0. */
    public int requests;

    public boolean error;

    /**
     * A request that reported why it finished; and whether that was the token limit or a filter.
     */
    public boolean finishKnown;

    public boolean truncated;
    public boolean contentFiltered;

    /** A call the provider refused for its rate limit (HTTP 429): counted apart from errors. */
    public boolean rateLimited;

    /** A tool execution (not a model call): counted only for the tool error rate. */
    public boolean toolExecution;

    /** Cached input tokens and the input tokens of a request that reported them; else NaN. */
    public double cachedTokens = Double.NaN;

    public double cacheInputTokens = Double.NaN;

    /** USD, NaN when unknown. */
    public double costUsd = Double.NaN;

    /** Input plus output tokens, NaN when unknown. */
    public double tokens = Double.NaN;

    /** A metric interval's kind ({@link MetricPoint.Kind#ordinal()}), -1 for a request. */
    public int metricKind = -1;

    /** A metric interval: its measurements (calls, or token records) and their sum. */
    public long metricCount;

    public double metricSum = Double.NaN;

    /** A duration interval's histogram (milliseconds), when it has one. */
    public double[] bounds;

    public long[] buckets;

    public double max = Double.NaN;

    public WindowInput() {}

    public static WindowInput of(LlmRequest r) {
        WindowInput w =
                dimensions(r.service, r.model, r.provider, r.operation, r.environment, r.namespace);
        w.eventTimeMs = r.eventTimeMs;
        w.requests = 1;
        w.error = r.error;
        w.costUsd = r.costUsd;
        w.tokens = r.totalTokens();
        w.finishKnown = r.finishReason != null;
        w.truncated = "length".equals(r.finishReason);
        w.contentFiltered = "content_filter".equals(r.finishReason);
        w.rateLimited = r.rateLimited;
        w.toolExecution = r.kind == RequestKind.TOOL_EXECUTION;
        if (!Double.isNaN(r.cachedInputTokens) && r.inputTokens > 0) {
            w.cachedTokens = r.cachedInputTokens;
            w.cacheInputTokens = r.inputTokens;
        }
        return w;
    }

    public static WindowInput of(MetricPoint delta) {
        WindowInput w =
                dimensions(
                        delta.service,
                        delta.model,
                        delta.provider,
                        delta.operation,
                        delta.environment,
                        delta.namespace);
        w.eventTimeMs = delta.timeMs;
        w.error = delta.error;
        w.metricKind = delta.kind.ordinal();
        w.metricCount = delta.count;
        w.metricSum = delta.sum;
        w.bounds = delta.bounds;
        w.buckets = delta.buckets;
        w.max = delta.max;
        return w;
    }

    public MetricPoint.Kind kind() {
        return metricKind < 0 ? null : MetricPoint.Kind.values()[metricKind];
    }

    private static WindowInput dimensions(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String namespace) {
        WindowInput w = new WindowInput();
        w.service = service;
        w.model = model;
        w.provider = provider;
        w.operation = operation;
        w.environment = environment;
        w.namespace = namespace;
        return w;
    }
}
