package io.llmsentinel.functions.read;

/** Input that cannot be read; carries the reason that goes with it to the dead-letter topic. */
public class InvalidInputException extends RuntimeException {
    private final InvalidReason reason;

    public InvalidInputException(InvalidReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public InvalidReason reason() {
        return reason;
    }
}
