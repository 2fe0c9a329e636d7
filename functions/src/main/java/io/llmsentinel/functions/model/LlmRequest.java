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

    /**
     * The model of the key: the request or the response model as {@code keys.model-name} chooses
     * (the other when the chosen one is absent), without a dated snapshot suffix when {@code
     * keys.strip-model-snapshot} is on; {@code "-"} for tool executions.
     */
    public String model;

    /** The model the application asked for, as the span names it; or null. */
    public String requestModel;

    /** The model that answered, as the span names it; or null. */
    public String responseModel;

    /** A model call (the default) or a tool execution. */
    public RequestKind kind = RequestKind.MODEL_CALL;

    public double latencyMs = Double.NaN;
    public double ttftMs = Double.NaN;
    public double inputTokens = Double.NaN;
    public double outputTokens = Double.NaN;
    public double costUsd = Double.NaN;

    /** Input tokens served from the provider's prompt cache; NaN when not reported. */
    public double cachedInputTokens = Double.NaN;

    /**
     * Why the model stopped, normalized ({@code stop}, {@code length}, {@code content_filter},
     * {@code tool_calls}, else the reported value in lower case); null when not reported.
     */
    public String finishReason;

    public boolean error;
    public String errorType;

    /** The call failed because the provider throttled it (HTTP 429); {@link #error} is set too. */
    public boolean rateLimited;

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
                && rateLimited == r.rateLimited
                && kind == r.kind
                && Double.compare(latencyMs, r.latencyMs) == 0
                && Double.compare(ttftMs, r.ttftMs) == 0
                && Double.compare(inputTokens, r.inputTokens) == 0
                && Double.compare(outputTokens, r.outputTokens) == 0
                && Double.compare(costUsd, r.costUsd) == 0
                && Double.compare(cachedInputTokens, r.cachedInputTokens) == 0
                && Objects.equals(service, r.service)
                && Objects.equals(environment, r.environment)
                && Objects.equals(namespace, r.namespace)
                && Objects.equals(provider, r.provider)
                && Objects.equals(operation, r.operation)
                && Objects.equals(model, r.model)
                && Objects.equals(requestModel, r.requestModel)
                && Objects.equals(responseModel, r.responseModel)
                && Objects.equals(finishReason, r.finishReason)
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
                + ", kind="
                + kind
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
                + ", cachedIn="
                + cachedInputTokens
                + ", finish="
                + finishReason
                + ", error="
                + error
                + ", rateLimited="
                + rateLimited
                + '}';
    }
}
