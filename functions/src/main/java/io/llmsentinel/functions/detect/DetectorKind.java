package io.llmsentinel.functions.detect;

import java.util.Locale;

/** The four detectors; each runs on every watched metric unless configured off. */
public enum DetectorKind {
    ZSCORE,
    IQR,
    MAD,
    CUSUM;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DetectorKind fromCode(String code) {
        try {
            return valueOf(code.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown detector '" + code + "'; known: zscore, iqr, mad, cusum");
        }
    }
}
