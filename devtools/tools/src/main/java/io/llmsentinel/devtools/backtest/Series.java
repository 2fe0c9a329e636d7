package io.llmsentinel.devtools.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A CSV series with a header line; rows as their fields. */
public record Series(String[] header, List<String[]> rows) {

    public static Series read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
            throw new IOException(csv + " is empty");
        }
        List<String[]> rows = new ArrayList<>(lines.size());
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(lines.get(i).split(",", -1));
            }
        }
        return new Series(lines.get(0).split(","), rows);
    }

    public int column(String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(
                "no column '" + name + "' in " + String.join(",", header));
    }

    /** A timestamp column ({@code yyyy-MM-dd HH:mm:ss}, UTC) as epoch milliseconds. */
    public long[] epochMillis(String name) {
        int c = column(name);
        long[] out = new long[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    NabScorer.parseTime(rows.get(i)[c])
                            .toInstant(java.time.ZoneOffset.UTC)
                            .toEpochMilli();
        }
        return out;
    }

    public double[] doubles(String name) {
        int c = column(name);
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(rows.get(i)[c].trim());
        }
        return out;
    }
}
