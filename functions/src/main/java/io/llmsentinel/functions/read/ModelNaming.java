package io.llmsentinel.functions.read;

import java.io.Serializable;

/**
 * Which of a call's two model names its key uses ({@code keys.model-name}), and whether a dated
 * snapshot suffix is removed from it ({@code keys.strip-model-snapshot}), so one model is one key
 * however an instrumentation names it: OpenInference names a streamed call by the request ({@code
 * gpt-4o}) and a non-streamed one by the response ({@code gpt-4o-2024-08-06}).
 *
 * <p>The request model is the default: it is the alias the application asked for, stable across the
 * provider's snapshot updates, whereas the response model changes the day the alias moves to a new
 * snapshot and would split the baseline in two.
 */
public record ModelNaming(Preference preference, boolean stripSnapshot) implements Serializable {

    /** Which name a key prefers; the other is used when the preferred one is absent. */
    public enum Preference {
        REQUEST,
        RESPONSE
    }

    public static final ModelNaming DEFAULT = new ModelNaming(Preference.REQUEST, true);

    /** The key's model: the preferred name, else the other, else {@code unknown}. */
    public String keyModel(String requestModel, String responseModel) {
        String m =
                preference == Preference.REQUEST
                        ? (requestModel != null ? requestModel : responseModel)
                        : (responseModel != null ? responseModel : requestModel);
        if (m == null) {
            return "unknown";
        }
        return stripSnapshot ? withoutSnapshot(m) : m;
    }

    /**
     * The name without a trailing dated snapshot: {@code -2024-08-06}, {@code -20240806},
     * {@code @20240620} (Vertex AI), {@code _20240806}. Only whole, plausible dates (years
     * 2000-2099) are removed: {@code gpt-4-0613} or {@code mistral-large-2407} name models of their
     * own and stay.
     */
    static String withoutSnapshot(String model) {
        int n = model.length();
        // -YYYY-MM-DD
        if (n > 11
                && isSeparator(model.charAt(n - 11))
                && model.charAt(n - 3) == '-'
                && model.charAt(n - 6) == '-'
                && isDate(model, n - 10, n - 5, n - 2)) {
            return model.substring(0, n - 11);
        }
        // -YYYYMMDD
        if (n > 9 && isSeparator(model.charAt(n - 9)) && isDate(model, n - 8, n - 4, n - 2)) {
            return model.substring(0, n - 9);
        }
        return model;
    }

    private static boolean isSeparator(char c) {
        return c == '-' || c == '@' || c == '_';
    }

    private static boolean isDate(String s, int year, int month, int day) {
        int y = digits(s, year, 4);
        int m = digits(s, month, 2);
        int d = digits(s, day, 2);
        return y >= 2000 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
