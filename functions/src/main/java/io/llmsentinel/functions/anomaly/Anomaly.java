package io.llmsentinel.functions.anomaly;

/**
 * One anomalous value of one metric of one key, with everything needed to explain and route it. A
 * Flink POJO (arrays, not lists, so no Kryo); written as snake_case JSON by {@link AnomalyJson}.
 */
public class Anomaly {
    public static final int SCHEMA_VERSION = 1;

    public String anomalyId;
    public long eventTimeMs;
    public long detectedAtMs;
    public String severity;
    public String anomalyType;

    public String service;
    public String model;
    public String provider;
    public String operation;
    public String environment;
    public String namespace;

    public String metric;
    public double value;
    public double score;
    public DetectorFinding[] detectors;

    public double baselineMean = Double.NaN;
    public double baselineStddev = Double.NaN;
    public double baselineMedian = Double.NaN;
    public double baselineMad = Double.NaN;
    public double baselineQ1 = Double.NaN;
    public double baselineQ3 = Double.NaN;
    public long baselineSamples;

    public String traceId;
    public String spanId;

    public Anomaly() {}

    @Override
    public String toString() {
        return AnomalyJson.toJson(this);
    }
}
