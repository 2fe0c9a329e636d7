package io.llmsentinel.corpus.jvm;

/** How one model call is made: Spring AI sends usage on a stream only when asked to. */
enum CallMode {
    /** {@code ChatClient...call()}: one JSON response, with usage. */
    CALL("call", false),
    /** {@code ChatClient...stream()} with {@code stream_options.include_usage}. */
    STREAM_WITH_USAGE("stream_usage", true),
    /** {@code ChatClient...stream()} as Spring AI sends it by default: no usage chunk. */
    STREAM_WITHOUT_USAGE("stream_no_usage", true);

    final String code;
    final boolean streaming;

    CallMode(String code, boolean streaming) {
        this.code = code;
        this.streaming = streaming;
    }
}
