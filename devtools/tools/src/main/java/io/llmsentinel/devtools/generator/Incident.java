package io.llmsentinel.devtools.generator;

import java.time.Instant;
import java.util.Locale;

/**
 * An incident injected into generated telemetry: what, for which service and model, and when in
 * event time. The generator writes each one to its record file so a run can be scored.
 */
public record Incident(Type type, String service, String model, long startMs, long endMs) {

    /** The kinds of trouble the generator can inject. */
    public enum Type {
        /** Responses take several times longer. */
        LATENCY_SPIKE,
        /** Completions run away: many times the usual output tokens. */
        TOKEN_EXPLOSION,
        /** The reported cost per request jumps (a price change or a wrong model tier). */
        COST_JUMP,
        /** Most requests fail fast with rate-limit and server errors. */
        ERROR_BURST;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type fromCode(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public boolean activeAt(long eventTimeMs, String svc) {
        return service.equals(svc) && eventTimeMs >= startMs && eventTimeMs < endMs;
    }

    public String toJson() {
        return String.format(
                Locale.ROOT,
                "{\"type\":\"%s\",\"service\":\"%s\",\"model\":\"%s\",\"start\":\"%s\","
                        + "\"end\":\"%s\",\"start_ms\":%d,\"end_ms\":%d}",
                type.code(),
                service,
                model,
                Instant.ofEpochMilli(startMs),
                Instant.ofEpochMilli(endMs),
                startMs,
                endMs);
    }
}
