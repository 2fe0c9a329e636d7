package io.llmsentinel.functions.detect;

import java.util.EnumSet;

/** Settings and states with round numbers, so expected statistics can be worked out by hand. */
final class Fixtures {
    private Fixtures() {}

    /** Linear scale, no relative floor, tiny unit: the formulas exactly as written. */
    static MetricSettings linear(Direction direction) {
        return linear(direction, EnumSet.allOf(DetectorKind.class), 4, 1000);
    }

    static MetricSettings linearFloored(double relativeFloor, double unit) {
        return new MetricSettings(
                Direction.UP,
                EnumSet.allOf(DetectorKind.class),
                4,
                1000,
                3.0,
                1.5,
                3.5,
                0.5,
                5.0,
                relativeFloor,
                false,
                unit,
                true,
                0,
                false);
    }

    /** Linear scale, no floors, the given detectors, warm-up and horizon. */
    static MetricSettings linear(
            Direction direction, EnumSet<DetectorKind> detectors, int warmup, int window) {
        return new MetricSettings(
                direction, detectors, warmup, window, 3.0, 1.5, 3.5, 0.5, 5.0, 0.0, false, 1e-9,
                true, 0, false);
    }

    /** A warmed-up state: mean 100, sd 10; quartiles 90/100/110; MAD 8. */
    static MetricState state() {
        MetricState s = new MetricState();
        s.count = 100;
        s.mean = 100;
        s.variance = 100;
        s.q1 = 90;
        s.median = 100;
        s.q3 = 110;
        s.mad = 8;
        return s;
    }
}
