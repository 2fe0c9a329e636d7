package io.llmsentinel.functions.model;

/**
 * One key's requests in one event-time window: counts, cost and tokens from spans and events, and
 * the same from OTLP metric intervals, from which request_rate, error_rate, cost_per_minute,
 * token_rate and latency_p95 are judged. A Flink POJO (fields added later are read as their
 * defaults from older state); also the window's accumulator.
 *
 * <p>Spans and metrics of one key are not counted twice: where a window has requests from spans or
 * events, its request and token counts are theirs, and metric intervals count only in windows
 * without any ({@link #callsCounted()}, {@link #tokensCounted()}).
 */
public class WindowStats {
    /** The key the window was counted under (the configured dimensions, joined). */
    public String key;

    public String service;
    public String environment;
    public String namespace;
    public String provider;
    public String operation;
    public String model;

    public long windowStartMs;
    public long windowEndMs;
    public long requests;
    public long errors;
    public double costUsd;
    public long costKnown;

    /** Requests that reported why they finished; of them, cut at the token limit or filtered. */
    public long finishKnown;

    public long truncated;
    public long contentFiltered;

    /** Calls refused for the provider's rate limit (HTTP 429); also in {@link #errors}. */
    public long rateLimited;

    /** Tool executions, and those that failed. */
    public long toolExecutions;

    public long toolErrors;

    /** Cached input tokens, and the input tokens of the requests that reported them. */
    public double cachedTokens;

    public double cacheInputTokens;
    public long cacheKnown;

    /** Input plus output tokens of the requests that carried them. */
    public double tokens;

    public long tokensKnown;

    /** From metric intervals: calls (duration measurements), failed calls, tokens. */
    public long metricCalls;

    public long metricErrors;
    public double metricTokens;
    public long metricTokenIntervals;

    /** The duration histogram of the metric intervals (milliseconds), summed over the window. */
    public double[] latencyBounds;

    public long[] latencyBuckets;
    public double latencyMax = Double.NaN;

    public WindowStats() {}

    /** Adds a request's or a metric interval's contribution. */
    public void add(WindowInput in) {
        if (service == null) {
            dimensionsOf(
                    in.service, in.environment, in.namespace, in.provider, in.operation, in.model);
        }
        if (in.metricKind < 0 && in.toolExecution) {
            toolExecutions++;
            if (in.error) {
                toolErrors++;
            }
            return;
        }
        if (in.metricKind < 0) {
            requests += in.requests;
            if (in.error) {
                errors++;
            }
            if (in.finishKnown) {
                finishKnown++;
                truncated += in.truncated ? 1 : 0;
                contentFiltered += in.contentFiltered ? 1 : 0;
            }
            if (in.rateLimited) {
                rateLimited++;
            }
            if (!Double.isNaN(in.cacheInputTokens)) {
                cachedTokens += in.cachedTokens;
                cacheInputTokens += in.cacheInputTokens;
                cacheKnown++;
            }
            if (!Double.isNaN(in.costUsd)) {
                costUsd += in.costUsd;
                costKnown++;
            }
            if (!Double.isNaN(in.tokens)) {
                tokens += in.tokens;
                tokensKnown++;
            }
            return;
        }
        switch (in.kind()) {
            case DURATION -> {
                metricCalls += in.metricCount;
                if (in.error) {
                    metricErrors += in.metricCount;
                }
                addLatency(in.bounds, in.buckets, in.max);
            }
            case INPUT_TOKENS, OUTPUT_TOKENS -> {
                if (!Double.isNaN(in.metricSum)) {
                    metricTokens += in.metricSum;
                    metricTokenIntervals++;
                }
            }
            default -> {
                // time to first token and per output token: read, not judged per window yet
            }
        }
    }

    /** Sums a histogram into the window's; one of other bounds is left out (rare: one SDK). */
    private void addLatency(double[] bounds, long[] buckets, double max) {
        if (bounds == null || buckets == null) {
            return;
        }
        if (latencyBuckets == null) {
            latencyBounds = bounds.clone();
            latencyBuckets = buckets.clone();
        } else if (java.util.Arrays.equals(latencyBounds, bounds)
                && latencyBuckets.length == buckets.length) {
            for (int i = 0; i < buckets.length; i++) {
                latencyBuckets[i] += buckets[i];
            }
        }
        if (!Double.isNaN(max)) {
            latencyMax = Double.isNaN(latencyMax) ? max : Math.max(latencyMax, max);
        }
    }

    /** Calls in the window: from spans and events when there are any, else from metrics. */
    public long callsCounted() {
        return requests > 0 ? requests : metricCalls;
    }

    /** Failed calls, other than those refused for the rate limit (counted apart). */
    public long errorsCounted() {
        return requests > 0 ? errors - rateLimited : metricErrors;
    }

    /** Whether the window holds only tool executions (a tool key's window). */
    public boolean toolsOnly() {
        return requests == 0 && metricCalls == 0 && metricTokenIntervals == 0 && toolExecutions > 0;
    }

    /** Tokens in the window, by the same rule; NaN when neither source carried any. */
    public double tokensCounted() {
        if (requests > 0) {
            return tokensKnown > 0 ? tokens : Double.NaN;
        }
        return metricTokenIntervals > 0 ? metricTokens : Double.NaN;
    }

    public void add(LlmRequest r) {
        add(WindowInput.of(r));
    }

    public WindowStats merge(WindowStats o) {
        if (service == null) {
            dimensionsOf(o.service, o.environment, o.namespace, o.provider, o.operation, o.model);
        }
        requests += o.requests;
        errors += o.errors;
        costUsd += o.costUsd;
        costKnown += o.costKnown;
        tokens += o.tokens;
        tokensKnown += o.tokensKnown;
        metricCalls += o.metricCalls;
        metricErrors += o.metricErrors;
        metricTokens += o.metricTokens;
        metricTokenIntervals += o.metricTokenIntervals;
        finishKnown += o.finishKnown;
        truncated += o.truncated;
        contentFiltered += o.contentFiltered;
        rateLimited += o.rateLimited;
        toolExecutions += o.toolExecutions;
        toolErrors += o.toolErrors;
        cachedTokens += o.cachedTokens;
        cacheInputTokens += o.cacheInputTokens;
        cacheKnown += o.cacheKnown;
        addLatency(o.latencyBounds, o.latencyBuckets, o.latencyMax);
        return this;
    }

    private void dimensionsOf(
            String service,
            String environment,
            String namespace,
            String provider,
            String operation,
            String model) {
        this.service = service;
        this.environment = environment;
        this.namespace = namespace;
        this.provider = provider;
        this.operation = operation;
        this.model = model;
    }

    public double minutes() {
        return (windowEndMs - windowStartMs) / 60_000.0;
    }
}
