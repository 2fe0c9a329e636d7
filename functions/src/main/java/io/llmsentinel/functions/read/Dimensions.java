package io.llmsentinel.functions.read;

/**
 * The one rule for odd dimension values (service, model, provider, operation, environment,
 * namespace), applied by every reader before a value becomes part of a key, a tag or state:
 *
 * <ul>
 *   <li>control characters (U+0000-U+001F, U+007F-U+009F) and lone surrogates become U+FFFD;
 *   <li>a value longer than {@link #MAX_CHARS} characters is cut to {@code MAX_CHARS - 1} and ends
 *       with {@link #MARK} ("…"), never splitting a surrogate pair.
 * </ul>
 *
 * The request is kept (its values are still judged); how many values were changed is counted.
 */
public final class Dimensions {
    private Dimensions() {}

    public static final int MAX_CHARS = 256;
    public static final char MARK = '\u2026';
    private static final char REPLACEMENT = '\uFFFD';

    /** The cleaned value, or the same instance when nothing had to change. */
    public static String clean(String v) {
        if (v == null) {
            return null;
        }
        int n = v.length();
        boolean odd = n > MAX_CHARS;
        for (int i = 0; i < n && !odd; i++) {
            char c = v.charAt(i);
            if (Character.isISOControl(c)) {
                odd = true;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(v.charAt(i + 1))) {
                    i++;
                } else {
                    odd = true;
                }
            } else if (Character.isLowSurrogate(c)) {
                odd = true;
            }
        }
        if (!odd) {
            return v;
        }
        StringBuilder out = new StringBuilder(Math.min(n, MAX_CHARS));
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            boolean pair =
                    Character.isHighSurrogate(c)
                            && i + 1 < n
                            && Character.isLowSurrogate(v.charAt(i + 1));
            int width = pair ? 2 : 1;
            if (out.length() + width > MAX_CHARS - 1 && (n > MAX_CHARS)) {
                out.append(MARK);
                return out.toString();
            }
            if (pair) {
                out.append(c).append(v.charAt(++i));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append(REPLACEMENT);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
