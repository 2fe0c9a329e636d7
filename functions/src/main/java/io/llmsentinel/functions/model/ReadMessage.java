package io.llmsentinel.functions.model;

/**
 * One Kafka message, read where it is consumed (in the source, so its event time drives that
 * partition's watermark): the LLM requests in it, the spans that were not LLM spans, and at most
 * one dead letter for whatever in it could not be read. A Flink POJO.
 */
public class ReadMessage {
    /** The newest event time of its requests or points, else the Kafka timestamp. */
    public long eventTimeMs;

    public LlmRequest[] requests;

    /** GenAI metric points (an OTLP metrics message); empty otherwise. */
    public MetricPoint[] points;

    /** Spans read that are not model calls or tool executions: counted, not errors. */
    public int skipped;

    /**
     * The skipped spans by reason ({@code io.llmsentinel.functions.read.SkipReason} ordinal), or
     * null when none was skipped.
     */
    public int[] skippedByReason;

    /** Dimension values that had to be cleaned. */
    public int cleanedDimensions;

    /** Where the message came from, for a dead letter made later (e.g. by the key budget). */
    public String sourceTopic;

    public int sourcePartition;
    public long sourceOffset;

    /** What could not be read, or null. */
    public DeadLetter deadLetter;

    public ReadMessage() {}
}
