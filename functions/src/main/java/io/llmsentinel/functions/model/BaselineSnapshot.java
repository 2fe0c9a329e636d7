package io.llmsentinel.functions.model;

/**
 * The live baseline of one metric of one key, in the metric's unit, as the detection function knows
 * it at {@code eventTimeMs}: emitted every few values (a side output), for the live view in Redis.
 * A Flink POJO.
 */
public class BaselineSnapshot {
    public String service;
    public String model;
    public String provider;
    public String operation;
    public String environment;
    public String namespace;

    public String metric;
    public long eventTimeMs;
    public double lastValue;
    public long samples;
    public double mean;
    public double stddev;
    public double median;
    public double mad;
    public double q1;
    public double q3;

    public BaselineSnapshot() {}
}
