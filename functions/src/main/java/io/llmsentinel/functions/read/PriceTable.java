package io.llmsentinel.functions.read;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prices per model in USD per one million input and output tokens, for spans that carry no cost. A
 * model matches its own entry or, failing that, the longest entry it starts with, so {@code
 * gpt-4o-2024-08-06} is priced as {@code gpt-4o}.
 */
public final class PriceTable implements Serializable {
    private static final long serialVersionUID = 1L;

    /** USD per one million tokens. */
    public record Price(double inputPerMillion, double outputPerMillion) implements Serializable {}

    private final TreeMap<String, Price> prices;

    public PriceTable(Map<String, Price> prices) {
        this.prices = new TreeMap<>(prices);
    }

    public static PriceTable empty() {
        return new PriceTable(Map.of());
    }

    public Map<String, Price> prices() {
        return prices;
    }

    /** The cost of a request, or NaN when the model has no price or no tokens are known. */
    public double costUsd(String model, double inputTokens, double outputTokens) {
        if (model == null || (Double.isNaN(inputTokens) && Double.isNaN(outputTokens))) {
            return Double.NaN;
        }
        Price price = lookup(model);
        if (price == null) {
            return Double.NaN;
        }
        double in = Double.isNaN(inputTokens) ? 0 : inputTokens;
        double out = Double.isNaN(outputTokens) ? 0 : outputTokens;
        return (in * price.inputPerMillion() + out * price.outputPerMillion()) / 1_000_000.0;
    }

    Price lookup(String model) {
        Price exact = prices.get(model);
        if (exact != null) {
            return exact;
        }
        // The longest key that is a prefix of the model sorts at or before it.
        for (Map.Entry<String, Price> e = prices.floorEntry(model);
                e != null;
                e = prices.lowerEntry(e.getKey())) {
            if (model.startsWith(e.getKey())) {
                return e.getValue();
            }
            if (e.getKey().isEmpty() || e.getKey().charAt(0) != model.charAt(0)) {
                return null;
            }
        }
        return null;
    }
}
