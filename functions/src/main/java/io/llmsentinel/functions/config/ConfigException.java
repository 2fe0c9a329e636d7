package io.llmsentinel.functions.config;

/** A configuration problem, with a message that names the key and what would be accepted. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
