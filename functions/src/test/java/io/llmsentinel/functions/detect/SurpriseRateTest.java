package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SurpriseRateTest {

    private static final int WINDOW = 1500;

    /** Feeds Bernoulli(p) surprises; returns the index of the first report, or -1. */
    private static int firstReport(SurpriseRate r, double p, int n, Random rnd) {
        for (int i = 0; i < n; i++) {
            boolean surprise = rnd.nextDouble() < p;
            double decades = r.judge(surprise, WINDOW);
            r.learn(surprise, WINDOW);
            if (decades >= SurpriseRate.DECISION_DECADES) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aShareOfSurprisesThatRisesFivefoldIsReportedAndAnUnchangedOneIsNot() {
        Random rnd = new Random(1);
        SurpriseRate r = new SurpriseRate();
        assertThat(firstReport(r, 0.02, 5000, rnd)).as("at the usual share").isEqualTo(-1);
        assertThat(r.usual).isBetween(0.01, 0.03);

        int reported = firstReport(r, 0.10, 1000, rnd);
        assertThat(reported).as("after the share rose to 10%").isBetween(0, 400);
        assertThat(r.evidence).as("starts again once reported").isLessThan(1.0);
    }

    @Test
    void nothingIsJudgedUntilTheUsualShareHasSeenATenthOfTheHorizon() {
        SurpriseRate r = new SurpriseRate();
        for (int i = 0; i < WINDOW / 10; i++) {
            assertThat(r.judge(true, WINDOW)).isZero();
            r.learn(true, WINDOW);
        }
        assertThat(r.judge(true, WINDOW)).isPositive();
    }
}
