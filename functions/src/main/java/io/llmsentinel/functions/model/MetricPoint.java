package io.llmsentinel.functions.model;

/**
 * One data point of a GenAI metric, as an OTLP {@code ExportMetricsServiceRequest} carries it: the
 * key's dimensions, which GenAI measurement it is, its temporality and its numbers (a histogram's
 * count, sum and buckets). Turned into per-interval values by the keyed function that follows the
 * reader (cumulative points need the previous point of their series).
 */
public class MetricPoint {
    /** What a point measures, after the metric name and its token type are read. */
    public enum Kind {
        /** {@code gen_ai.client.operation.duration} or {@code gen_ai.server.request.duration}. */
        DURATION,
        /** {@code gen_ai.client.token.usage} with {@code gen_ai.token.type = input}. */
        INPUT_TOKENS,
        /** ... with {@code gen_ai.token.type = output}. */
        OUTPUT_TOKENS,
        /** {@code gen_ai.server.time_to_first_token}, {@code ...time_to_first_chunk}. */
        TIME_TO_FIRST_TOKEN,
        /** {@code gen_ai.server.time_per_output_token}, {@code ...time_per_output_chunk}. */
        TIME_PER_OUTPUT_TOKEN
    }

    public String service;
    public String environment;
    public String namespace;
    public String provider;
    public String model;
    public String operation;

    public Kind kind;

    /** Points of one series (resource, scope, metric, attributes) share this id. */
    public String seriesId;

    /** Cumulative (running totals since {@link #startTimeMs}) or delta (this interval only). */
    public boolean cumulative;

    public long startTimeMs;
    public long timeMs;

    /** Measurements in the point (a sum point: 1). */
    public long count;

    /** Their sum, in the metric's base unit (seconds or tokens). */
    public double sum;

    /** Whether the point's attributes carry {@code error.type}: these calls failed. */
    public boolean error;

    /** Histogram bucket bounds (ascending) and counts ({@code bounds.length + 1}); null if none. */
    public double[] bounds;

    public long[] buckets;

    /** The smallest and largest measurement, when the point carries them; NaN otherwise. */
    public double min = Double.NaN;

    public double max = Double.NaN;

    public MetricPoint() {}
}
