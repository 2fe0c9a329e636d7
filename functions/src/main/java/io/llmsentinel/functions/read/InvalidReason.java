package io.llmsentinel.functions.read;

/**
 * Why a message or a span could not be used. The names are the dead-letter reasons and metric
 * names.
 */
public enum InvalidReason {
    EMPTY_MESSAGE("empty_message"),
    TOO_LARGE("too_large"),
    INVALID_ENCODING("invalid_encoding"),
    INVALID_JSON("invalid_json"),
    WRONG_TYPE("wrong_type"),
    MISSING_FIELD("missing_field"),
    INVALID_VALUE("invalid_value"),
    TOO_DEEP("too_deep"),
    /** An event time further ahead of the clock than {@code event-time.max-future}. */
    CLOCK_SKEW("clock_skew"),
    /** A control command that is not valid, or refers to nothing in force. */
    INVALID_COMMAND("invalid_command");

    private final String code;

    InvalidReason(String code) {
        this.code = code;
    }

    /** The snake_case name used in dead letters and metrics. */
    public String code() {
        return code;
    }
}
