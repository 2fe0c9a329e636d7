package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceTableTest {
    private final PriceTable table =
            new PriceTable(
                    Map.of(
                            "gpt-4o", new PriceTable.Price(2.5, 10),
                            "gpt-4o-mini", new PriceTable.Price(0.15, 0.6),
                            "claude", new PriceTable.Price(3, 15)));

    @Test
    void pricesExactModel() {
        assertThat(table.costUsd("gpt-4o", 1_000_000, 1_000_000)).isEqualTo(12.5);
    }

    @Test
    void pricesByLongestPrefix() {
        assertThat(table.costUsd("gpt-4o-mini-2024-07-18", 1_000_000, 0)).isEqualTo(0.15);
        assertThat(table.costUsd("gpt-4o-2024-08-06", 0, 1_000_000)).isEqualTo(10);
        assertThat(table.costUsd("claude-3-5-sonnet", 1_000_000, 0)).isEqualTo(3);
    }

    @Test
    void unknownModelOrNoTokensHasNoCost() {
        assertThat(table.costUsd("llama", 100, 100)).isNaN();
        assertThat(table.costUsd("gpt", 100, 100)).isNaN();
        assertThat(table.costUsd("gpt-4o", Double.NaN, Double.NaN)).isNaN();
        assertThat(table.costUsd(null, 1, 1)).isNaN();
    }
}
