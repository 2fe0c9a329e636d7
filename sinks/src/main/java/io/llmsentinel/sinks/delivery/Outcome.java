package io.llmsentinel.sinks.delivery;

/** What became of one record in one delivery attempt. */
public record Outcome(Kind kind, String reason, long retryAfterMs) {

    public enum Kind {
        /** The server has it. */
        DELIVERED,
        /** The server is away or busy: try again later (the record stays in the backlog). */
        RETRY,
        /** The server refused this record for good: it goes to the dead-letter topic. */
        REJECT
    }

    private static final Outcome DELIVERED_ = new Outcome(Kind.DELIVERED, null, 0);

    public static Outcome delivered() {
        return DELIVERED_;
    }

    public static Outcome retry(String reason) {
        return new Outcome(Kind.RETRY, reason, 0);
    }

    /** Retry, and not before {@code retryAfterMs} (a server's Retry-After). */
    public static Outcome retry(String reason, long retryAfterMs) {
        return new Outcome(Kind.RETRY, reason, retryAfterMs);
    }

    public static Outcome reject(String reason) {
        return new Outcome(Kind.REJECT, reason, 0);
    }
}
