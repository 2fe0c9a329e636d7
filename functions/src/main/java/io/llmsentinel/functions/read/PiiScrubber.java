package io.llmsentinel.functions.read;

import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes personal data and credentials from prompt and completion text before it is stored or sent
 * anywhere: e-mail addresses, phone numbers, payment card numbers that pass the Luhn check,
 * national id numbers (US SSN, UK NINO), API keys and bearer tokens. Each is replaced by a
 * bracketed label, so the text stays readable and nothing of the value survives.
 */
public final class PiiScrubber implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern BEARER =
            Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9\\-._~+/]{8,}=*");
    private static final Pattern API_KEY =
            Pattern.compile(
                    "\\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_\\-]{16,}"
                            + "|AKIA[0-9A-Z]{16}"
                            + "|AIza[0-9A-Za-z_\\-]{35}"
                            + "|gh[pousr]_[A-Za-z0-9]{36,}"
                            + "|xox[abprs]-[A-Za-z0-9\\-]{10,}"
                            + "|hf_[A-Za-z0-9]{30,})");
    private static final Pattern EMAIL =
            Pattern.compile("\\b[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}\\b");
    private static final Pattern CARD = Pattern.compile("\\b(?:\\d[ \\-]?){12,18}\\d\\b");
    private static final Pattern SSN = Pattern.compile("\\b\\d{3}-\\d{2}-\\d{4}\\b");
    private static final Pattern NINO =
            Pattern.compile("\\b[A-CEGHJ-PR-TW-Z]{2}\\s?\\d{2}\\s?\\d{2}\\s?\\d{2}\\s?[A-D]\\b");
    private static final Pattern PHONE =
            Pattern.compile(
                    "(?<![\\w+])(?:\\+?\\d{1,3}[ .\\-]?)?\\(?\\d{3}\\)?[ .\\-]?\\d{3}[ .\\-]?\\d{4}\\b");

    public String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        // One pass over the text decides which patterns can match at all: most prompts have no
        // '@', too few digits for a card or a phone number, and none of the key prefixes, and a
        // regex that cannot match is not run (the result is the same; see PiiScrubberTest).
        int digits = 0;
        boolean at = false;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '@') {
                at = true;
            }
        }
        String s = text;
        if (containsIgnoreCase(s, "bearer")) {
            s = BEARER.matcher(s).replaceAll("[TOKEN]");
        }
        if (mayHoldApiKey(s)) {
            s = API_KEY.matcher(s).replaceAll("[API_KEY]");
        }
        if (at) {
            s = EMAIL.matcher(s).replaceAll("[EMAIL]");
        }
        if (digits >= 13) {
            s = replaceCards(s);
        }
        if (digits >= 9) {
            s = SSN.matcher(s).replaceAll("[NATIONAL_ID]");
        }
        if (digits >= 6) {
            s = NINO.matcher(s).replaceAll("[NATIONAL_ID]");
        }
        if (digits >= 10) {
            s = PHONE.matcher(s).replaceAll("[PHONE]");
        }
        return s;
    }

    /** The same result as {@link #scrub}, every pattern run: the reference the tests compare. */
    String scrubWithEveryPattern(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = BEARER.matcher(text).replaceAll("[TOKEN]");
        s = API_KEY.matcher(s).replaceAll("[API_KEY]");
        s = EMAIL.matcher(s).replaceAll("[EMAIL]");
        s = replaceCards(s);
        s = SSN.matcher(s).replaceAll("[NATIONAL_ID]");
        s = NINO.matcher(s).replaceAll("[NATIONAL_ID]");
        s = PHONE.matcher(s).replaceAll("[PHONE]");
        return s;
    }

    private static boolean mayHoldApiKey(String s) {
        return s.contains("sk-")
                || s.contains("AKIA")
                || s.contains("AIza")
                || s.contains("gh")
                || s.contains("xox")
                || s.contains("hf_");
    }

    private static boolean containsIgnoreCase(String s, String word) {
        int n = word.length();
        for (int i = 0; i + n <= s.length(); i++) {
            if (s.regionMatches(true, i, word, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static String replaceCards(String s) {
        Matcher m = CARD.matcher(s);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            String digits = m.group().replaceAll("[ \\-]", "");
            if (luhnValid(digits) && !looksLikeTimestamp(m.group())) {
                if (out == null) {
                    out = new StringBuilder(s.length());
                }
                out.append(s, last, m.start()).append("[CARD]");
                last = m.end();
            }
        }
        if (out == null) {
            return s;
        }
        return out.append(s, last, s.length()).toString();
    }

    /**
     * Unix timestamps in milliseconds, microseconds or nanoseconds (13, 16 or 19 digits starting
     * with 1, written without separators: 2001 to 2033) are not card numbers, though one in ten
     * passes the Luhn check; OTLP carries one per span. No card network issues numbers starting
     * with 1 at these lengths (UATP cards, which do start with 1, have 15 digits).
     */
    static boolean looksLikeTimestamp(String match) {
        int n = match.length();
        if (n != 13 && n != 16 && n != 19 || match.charAt(0) != '1') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!Character.isDigit(match.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean luhnValid(String digits) {
        if (digits.length() < 13 || digits.length() > 19) {
            return false;
        }
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
