package io.llmsentinel.functions.anomaly;

/** One detector's part in an anomaly: its score and the statistic behind it. A Flink POJO. */
public class DetectorFinding {
    public String detector;
    public double score;
    public double statistic;
    public double threshold;
    public String severity;

    /** The side of the baseline the value was on: up or down. */
    public String direction;

    public DetectorFinding() {}

    public DetectorFinding(
            String detector,
            double score,
            double statistic,
            double threshold,
            String severity,
            String direction) {
        this.detector = detector;
        this.score = score;
        this.statistic = statistic;
        this.threshold = threshold;
        this.severity = severity;
        this.direction = direction;
    }
}
