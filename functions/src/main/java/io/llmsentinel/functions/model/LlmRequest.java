package io.llmsentinel.functions.model;

import io.llmsentinel.functions.flink.ExplicitTypeInfo;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One LLM request (a GenAI span or a native event) with the dimensions it is keyed by and the
 * values the detectors watch. Flink serializes it with {@link
 * io.llmsentinel.functions.flink.LlmRequestSerializer} (fields in a fixed order, no reflection).
 * Absent numbers are {@code NaN}.
 */
@TypeInfo(ExplicitTypeInfo.ForLlmRequest.class)
public class LlmRequest {

    /** Event time: the end of the span (when the response was complete), epoch millis. */
    public long eventTimeMs;

    public String service;
    public String environment;
    public String namespace;
    public String provider;
    public String operation;
    public String model;

    public double latencyMs = Double.NaN;
    public double ttftMs = Double.NaN;
    public double inputTokens = Double.NaN;
    public double outputTokens = Double.NaN;
    public double costUsd = Double.NaN;

    public boolean error;
    public String errorType;

    public String traceId;
    public String spanId;

    /** Prompt and completion text, already scrubbed of personal data and truncated; or null. */
    public String promptText;

    public String completionText;

    public LlmRequest() {}

    public double totalTokens() {
        if (Double.isNaN(inputTokens) && Double.isNaN(outputTokens)) {
            return Double.NaN;
        }
        return (Double.isNaN(inputTokens) ? 0 : inputTokens)
                + (Double.isNaN(outputTokens) ? 0 : outputTokens);
    }

    /** Generation speed after the first token; NaN when it cannot be known. */
    public double outputTokensPerSecond() {
        if (Double.isNaN(outputTokens) || outputTokens <= 0 || Double.isNaN(latencyMs)) {
            return Double.NaN;
        }
        double generationMs =
                Double.isNaN(ttftMs) || ttftMs >= latencyMs ? latencyMs : latencyMs - ttftMs;
        return generationMs > 0 ? outputTokens * 1000.0 / generationMs : Double.NaN;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LlmRequest)) {
            return false;
        }
        LlmRequest r = (LlmRequest) o;
        return eventTimeMs == r.eventTimeMs
                && error == r.error
                && Double.compare(latencyMs, r.latencyMs) == 0
                && Double.compare(ttftMs, r.ttftMs) == 0
                && Double.compare(inputTokens, r.inputTokens) == 0
                && Double.compare(outputTokens, r.outputTokens) == 0
                && Double.compare(costUsd, r.costUsd) == 0
                && Objects.equals(service, r.service)
                && Objects.equals(environment, r.environment)
                && Objects.equals(namespace, r.namespace)
                && Objects.equals(provider, r.provider)
                && Objects.equals(operation, r.operation)
                && Objects.equals(model, r.model)
                && Objects.equals(errorType, r.errorType)
                && Objects.equals(traceId, r.traceId)
                && Objects.equals(spanId, r.spanId)
                && Objects.equals(promptText, r.promptText)
                && Objects.equals(completionText, r.completionText);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventTimeMs, service, model, provider, operation, traceId, spanId);
    }

    @Override
    public String toString() {
        return "LlmRequest{"
                + "t="
                + eventTimeMs
                + ", service="
                + service
                + ", provider="
                + provider
                + ", model="
                + model
                + ", operation="
                + operation
                + ", latencyMs="
                + latencyMs
                + ", ttftMs="
                + ttftMs
                + ", in="
                + inputTokens
                + ", out="
                + outputTokens
                + ", cost="
                + costUsd
                + ", error="
                + error
                + '}';
    }
}
