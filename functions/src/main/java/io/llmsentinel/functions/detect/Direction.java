package io.llmsentinel.functions.detect;

/** Which side of the baseline counts as anomalous for a metric. */
public enum Direction {
    UP,
    DOWN,
    BOTH;

    /** The deviation that counts, given a signed standardized distance. */
    public double relevant(double signedDistance) {
        return switch (this) {
            case UP -> signedDistance;
            case DOWN -> -signedDistance;
            case BOTH -> Math.abs(signedDistance);
        };
    }
}
