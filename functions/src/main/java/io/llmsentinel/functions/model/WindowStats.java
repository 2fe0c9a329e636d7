package io.llmsentinel.functions.model;

/**
 * One key's requests in one event-time window: counts and cost, from which request_rate, error_rate
 * and cost_per_minute are judged. A Flink POJO; also the window's accumulator.
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

    public WindowStats() {}

    public void add(LlmRequest r) {
        if (requests == 0) {
            dimensionsOf(r.service, r.environment, r.namespace, r.provider, r.operation, r.model);
        }
        requests++;
        if (r.error) {
            errors++;
        }
        if (!Double.isNaN(r.costUsd)) {
            costUsd += r.costUsd;
            costKnown++;
        }
    }

    public WindowStats merge(WindowStats o) {
        if (requests == 0) {
            dimensionsOf(o.service, o.environment, o.namespace, o.provider, o.operation, o.model);
        }
        requests += o.requests;
        errors += o.errors;
        costUsd += o.costUsd;
        costKnown += o.costKnown;
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
