package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.LlmRequest;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;

/** The key a baseline is learned per: the configured dimensions of a request, joined by '|'. */
public class DimensionKeySelector implements KeySelector<LlmRequest, String> {
    private static final long serialVersionUID = 1L;

    private final String[] dimensions;

    public DimensionKeySelector(List<String> dimensions) {
        this.dimensions = dimensions.toArray(new String[0]);
    }

    @Override
    public String getKey(LlmRequest r) {
        StringBuilder key = new StringBuilder(64);
        for (int i = 0; i < dimensions.length; i++) {
            if (i > 0) {
                key.append('|');
            }
            key.append(value(r, dimensions[i]));
        }
        return key.toString();
    }

    private static String value(LlmRequest r, String dimension) {
        String v =
                switch (dimension) {
                    case "service" -> r.service;
                    case "model" -> r.model;
                    case "provider" -> r.provider;
                    case "operation" -> r.operation;
                    case "environment" -> r.environment;
                    case "namespace" -> r.namespace;
                    default -> throw new IllegalArgumentException("unknown dimension " + dimension);
                };
        return v == null ? "" : v;
    }
}
