package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowInput;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The key a baseline is learned per: the configured dimensions of a request, joined by '|'. What
 * the keyed detection observes ({@link ForObservations}: requests, metric intervals) is keyed by
 * the very same string, as were the window inputs of earlier releases ({@link ForWindows}), so a
 * key's windows and its per-request state live in the same key group.
 */
public class DimensionKeySelector implements KeySelector<LlmRequest, String> {
    private static final long serialVersionUID = 1L;

    private final String[] dimensions;

    public DimensionKeySelector(List<String> dimensions) {
        this.dimensions = dimensions.toArray(new String[0]);
    }

    @Override
    public String getKey(LlmRequest r) {
        return key(
                dimensions,
                r.service,
                r.model,
                r.provider,
                r.operation,
                r.environment,
                r.namespace);
    }

    /**
     * The same key of what the keyed detection observes: a request's, a metric interval's, or the
     * one an earlier release kept a window under.
     */
    public static final class ForObservations implements KeySelector<Observation, String> {
        private static final long serialVersionUID = 1L;
        private final String[] dimensions;

        public ForObservations(List<String> dimensions) {
            this.dimensions = dimensions.toArray(new String[0]);
        }

        @Override
        public String getKey(Observation o) {
            return switch (o.kind) {
                case REQUEST -> {
                    LlmRequest r = o.request;
                    yield key(
                            dimensions,
                            r.service,
                            r.model,
                            r.provider,
                            r.operation,
                            r.environment,
                            r.namespace);
                }
                case METRIC_INTERVAL -> {
                    WindowInput w = o.interval;
                    yield key(
                            dimensions,
                            w.service,
                            w.model,
                            w.provider,
                            w.operation,
                            w.environment,
                            w.namespace);
                }
                case EARLIER_WINDOW, EARLIER_WINDOW_BASELINE -> o.key;
            };
        }
    }

    /** The same key of a window's input. */
    public static final class ForWindows implements KeySelector<WindowInput, String> {
        private static final long serialVersionUID = 1L;
        private final String[] dimensions;

        public ForWindows(List<String> dimensions) {
            this.dimensions = dimensions.toArray(new String[0]);
        }

        @Override
        public String getKey(WindowInput w) {
            return key(
                    dimensions,
                    w.service,
                    w.model,
                    w.provider,
                    w.operation,
                    w.environment,
                    w.namespace);
        }
    }

    static String key(
            String[] dimensions,
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String namespace) {
        StringBuilder key = new StringBuilder(64);
        for (int i = 0; i < dimensions.length; i++) {
            if (i > 0) {
                key.append('|');
            }
            String v =
                    switch (dimensions[i]) {
                        case "service" -> service;
                        case "model" -> model;
                        case "provider" -> provider;
                        case "operation" -> operation;
                        case "environment" -> environment;
                        case "namespace" -> namespace;
                        default ->
                                throw new IllegalArgumentException(
                                        "unknown dimension " + dimensions[i]);
                    };
            key.append(v == null ? "" : v);
        }
        return key.toString();
    }
}
