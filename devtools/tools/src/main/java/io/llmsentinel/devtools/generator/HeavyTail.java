package io.llmsentinel.devtools.generator;

import java.util.Random;

/**
 * The rare very slow call every real LLM API has (a retry upstream, a queue, a cold connection):
 * with probability {@code probability} a call waits an extra {@code (F - 1)} times its service's
 * median call before its first token, {@code F} a Pareto factor ({@code scale}, shape {@code
 * shape}) capped at {@code cap}. The default is the tail of the corpus's fake server
 * (devtools/corpus/fake-openai/behaviour.mjs): 1 call in 1,000 at 20-100 times the median, so a
 * detector and an alert policy that pass here also meet ordinary outliers.
 */
public record HeavyTail(double probability, double scale, double shape, double cap) {

    /** 1 call in 1,000 at 20x the median or more (Pareto 20, shape 1.5), at most 100x. */
    public static final HeavyTail DEFAULT = new HeavyTail(0.001, 20, 1.5, 100);

    /** No tail: the lognormal body only (the generator before the tail). */
    public static final HeavyTail OFF = new HeavyTail(0, 1, 1, 1);

    public HeavyTail {
        if (!(probability >= 0 && probability <= 1) || !(scale >= 1) || !(shape > 0)) {
            throw new IllegalArgumentException(
                    "a heavy tail needs a probability in [0, 1], a scale >= 1 and a shape > 0");
        }
    }

    /**
     * The factor of one call's median time: 1 for most, {@code F} for a call in the tail. Takes two
     * numbers from {@code random} whatever the outcome, so the draws of later calls do not depend
     * on it.
     */
    public double factor(Random random) {
        double in = random.nextDouble();
        double u = random.nextDouble();
        if (in >= probability) {
            return 1;
        }
        return Math.min(cap, scale * Math.pow(1 - u, -1 / shape));
    }
}
