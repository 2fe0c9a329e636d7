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

    /** On alerts: how many repeats of this alert were suppressed since the previous one. */
    public long suppressedBefore;

    /**
     * The metric's last 32 verdicts when this anomaly was found, newest (this one) in bit 0: what
     * the alert policy reads to see whether the evidence persists. Not part of the JSON.
     */
    public int recentVerdicts;

    /**
     * Whether the key's baseline was still young when this anomaly was found (too few values, or
     * too short a history: {@code alerts.quiet-start.*}): stored and streamed, marked {@code
     * "warming_up": true}, but it opens no alert.
     */
    public boolean warmingUp;

    public Anomaly() {}

    /**
     * The anomaly for an evaluation that fired; the caller sets the key's dimensions and the span,
     * then {@link #assignId()}.
     */
    public static Anomaly of(
            io.llmsentinel.functions.detect.Metric metric,
            double value,
            io.llmsentinel.functions.detect.Evaluation e,
            long eventTimeMs,
            long detectedAtMs) {
        Anomaly a = new Anomaly();
        a.eventTimeMs = eventTimeMs;
        a.detectedAtMs = detectedAtMs;
        a.metric = metric.code();
        a.value = value;
        a.score = e.score();
        a.severity = e.severity().label();
        a.anomalyType = e.anomalyType();
        a.detectors = new DetectorFinding[e.fired().length];
        for (int i = 0; i < e.fired().length; i++) {
            var v = e.fired()[i];
            a.detectors[i] =
                    new DetectorFinding(
                            v.detector().code(),
                            v.score(),
                            v.statistic(),
                            v.threshold(),
                            v.severity().label(),
                            v.sign() >= 0 ? "up" : "down");
        }
        a.baselineMean = e.baselineMean();
        a.baselineStddev = e.baselineStddev();
        a.baselineMedian = e.baselineMedian();
        a.baselineMad = e.baselineMad();
        a.baselineQ1 = e.baselineQ1();
        a.baselineQ3 = e.baselineQ3();
        a.baselineSamples = e.baselineSamples();
        a.recentVerdicts = e.recentVerdicts();
        return a;
    }

    /** Sets the key's dimensions. */
    public Anomaly withDimensions(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String namespace) {
        this.service = service;
        this.model = model;
        this.provider = provider;
        this.operation = operation;
        this.environment = environment;
        this.namespace = namespace;
        return this;
    }

    /** Sets the deterministic id; call once the dimensions and span are set. */
    public Anomaly assignId() {
        anomalyId = AnomalyIds.of(this);
        return this;
    }

    @Override
    public String toString() {
        return AnomalyJson.toJson(this);
    }
}
