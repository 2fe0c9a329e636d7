package io.llmsentinel.functions.read;

import java.util.Arrays;

/**
 * The values of one span's (or resource's) attributes that {@link GenAiAttributes} names, by index;
 * reused from span to span so a span that is not a model call costs no allocation. A numeric value
 * is kept unboxed beside the {@link #NUMBER} mark.
 */
final class AttributeValues {
    /** Marks a slot whose value is in {@link #numbers}. */
    static final Object NUMBER = new Object();

    private final Object[] values = new Object[GenAiAttributes.COUNT];
    private final double[] numbers = new double[GenAiAttributes.COUNT];
    private boolean used;

    /** Whether a {@code gen_ai.*} or {@code llm.*} attribute was seen, whatever its value. */
    boolean genAi;

    void clear() {
        if (used) {
            Arrays.fill(values, null);
            used = false;
        }
        genAi = false;
    }

    void set(int index, Object value) {
        values[index] = value;
        used = true;
    }

    void setNumber(int index, double value) {
        numbers[index] = value;
        values[index] = NUMBER;
        used = true;
    }

    boolean has(int index) {
        return values[index] != null;
    }

    /** The value as text (a number as written by Java), or null. */
    String string(int index) {
        Object v = values[index];
        if (v == null) {
            return null;
        }
        if (v == NUMBER) {
            double d = numbers[index];
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : "" + d;
        }
        return v.toString();
    }

    /** The first of {@code indices} that holds a non-empty value, as text; or null. */
    String firstString(int[] indices) {
        for (int i : indices) {
            String s = string(i);
            if (s != null && !s.isEmpty()) {
                return s;
            }
        }
        return null;
    }

    /**
     * The first of {@code indices} that is present, as a number (numbers sent as strings are
     * parsed: Spring AI sends every value as a string); NaN when none is present.
     *
     * @throws InvalidInputException when the first present one is not a finite number
     */
    double number(int[] indices) {
        for (int i : indices) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            if (v == NUMBER) {
                return numbers[i];
            }
            if (v instanceof String s) {
                double d = parse(s);
                if (!Double.isNaN(d)) {
                    return d;
                }
            }
            throw new InvalidInputException(
                    InvalidReason.WRONG_TYPE,
                    GenAiAttributes.name(i)
                            + " must be a number but is '"
                            + OtlpTraceReader.abbreviate(v.toString())
                            + "'");
        }
        return Double.NaN;
    }

    /** Like {@link #number} but NaN instead of an error: for values that only add evidence. */
    double numberOrNaN(int[] indices) {
        for (int i : indices) {
            Object v = values[i];
            if (v == NUMBER) {
                return numbers[i];
            }
            if (v instanceof String s) {
                return parse(s);
            }
        }
        return Double.NaN;
    }

    private static double parse(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
