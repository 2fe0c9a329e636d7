package io.llmsentinel.devtools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.devtools.demo.DeliveryLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One output's account: missing, duplicated, redelivered, extra, and delays by decision time. */
class DeliveryAccountTest {

    private static DeliveryLog.Entry got(long at, String id, boolean redelivered) {
        return new DeliveryLog.Entry(at, id, "anomaly.detected", redelivered);
    }

    @Test
    void countsWhatIsMissingDuplicatedRedeliveredAndExtra() {
        DeliveryAccount a =
                DeliveryAccount.of(
                        "rabbitmq alerts",
                        List.of(
                                new DeliveryAccount.Expected("a", 1_000),
                                new DeliveryAccount.Expected("b", 2_000),
                                new DeliveryAccount.Expected("c", 3_000),
                                new DeliveryAccount.Expected("a", 9_999)),
                        List.of(
                                got(1_500, "a", false),
                                got(1_600, "a", false),
                                got(1_700, "a", true),
                                got(2_100, "b", false),
                                got(5_000, "z", false)),
                        t -> true);

        assertThat(a.expectedCount()).isEqualTo(3);
        assertThat(a.deliveredCount()).isEqualTo(2);
        assertThat(a.missing()).containsExactly("c");
        assertThat(a.duplicates()).as("a sent twice by the job").isEqualTo(1);
        assertThat(a.redelivered()).as("a once more by the broker").isEqualTo(1);
        assertThat(a.extra()).containsExactly("z");
        assertThat(a.maxDelayMs()).as("a: 1,000 -> 1,500").isEqualTo(500);
    }

    @Test
    void delaysAndCatchUpCountOnlyWhatWasDecidedInTheWindow() {
        DeliveryAccount a =
                DeliveryAccount.of(
                        "webhook alerts",
                        List.of(
                                new DeliveryAccount.Expected("before", 1_000),
                                new DeliveryAccount.Expected("during-1", 10_000),
                                new DeliveryAccount.Expected("during-2", 15_000),
                                new DeliveryAccount.Expected("resolution", 0)),
                        List.of(
                                got(1_100, "before", false),
                                got(31_000, "during-1", false),
                                got(30_500, "during-2", false),
                                got(40_000, "resolution", false)),
                        t -> true);

        assertThat(a.decidedBetween(10_000, 20_000)).isEqualTo(2);
        assertThat(a.maxDelayMs(10_000, 20_000)).isEqualTo(21_000);
        assertThat(a.lastArrivalOfDecidedBetween(10_000, 20_000)).isEqualTo(31_000);
        assertThat(a.maxDelayMs(0, 5_000)).isEqualTo(100);
        assertThat(a.maxDelayMs(50_000, 60_000)).as("nothing decided then").isEqualTo(-1);
        assertThat(a.missing()).isEmpty();
    }

    @Test
    void onlyTheAccountsTypesCountAndRejectionsAreKeptApart() {
        DeliveryAccount a =
                DeliveryAccount.of(
                        "webhook incidents",
                        List.of(new DeliveryAccount.Expected("i:opened:0", 0)),
                        List.of(
                                new DeliveryLog.Entry(1, "i:opened:0", "anomaly.detected", false),
                                new DeliveryLog.Entry(2, "x", DeliveryLog.REJECTED, false)),
                        t -> t.startsWith("incident."));

        assertThat(a.missing())
                .as("an alert message is not the incident's")
                .containsExactly("i:opened:0");
        assertThat(a.extra()).isEmpty();
        assertThat(a.rejected()).isEqualTo(1);
    }
}
