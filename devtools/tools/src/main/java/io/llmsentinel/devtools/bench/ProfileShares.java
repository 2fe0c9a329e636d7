package io.llmsentinel.devtools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a TaskManager spent its CPU on, from async-profiler's collapsed stacks per thread ({@code
 * -t}): the share of samples in each category. Categories are inclusive (a sample counts in each
 * category its stack passes through), so they do not add up to 100%.
 */
record ProfileShares(Path file, long samples, Map<String, Long> counts) {

    /** Category, and how a stack (thread name first, frames after) is recognised. */
    private static final Map<String, Predicate<String>> CATEGORIES = new LinkedHashMap<>();

    static {
        CATEGORIES.put(
                "JIT compiler",
                s ->
                        s.startsWith("[C1 CompilerThread")
                                || s.startsWith("[C2 CompilerThread")
                                || s.contains("CompileBroker"));
        CATEGORIES.put(
                "GC",
                s ->
                        s.startsWith("[GC Thread")
                                || s.startsWith("[G1 ")
                                || s.contains("[VM Thread"));
        CATEGORIES.put("RocksDB", s -> s.contains("rocksdb") || s.contains("RocksDB"));
        CATEGORIES.put(
                "heap keyed state",
                s ->
                        s.contains("heap/CopyOnWriteStateMap")
                                || s.contains("heap/HeapPriorityQueue")
                                || s.contains("HeapValueState")
                                || s.contains("HeapMapState"));
        CATEGORIES.put("reading OTLP/JSON", s -> s.contains("llmsentinel/functions/read/"));
        CATEGORIES.put("Jackson", s -> s.contains("jackson"));
        CATEGORIES.put("keyed detection", s -> s.contains("AnomalyDetectionFunction"));
        CATEGORIES.put("detectors", s -> s.contains("llmsentinel/functions/detect/"));
        CATEGORIES.put(
                "record (de)serialization",
                s ->
                        s.contains("runtime/io/network")
                                || s.contains("SpanningWrapper")
                                || s.contains("RecordWriter"));
        CATEGORIES.put("Kafka client", s -> s.contains("org/apache/kafka/"));
    }

    static ProfileShares of(Path collapsed) throws IOException {
        long total = 0;
        Map<String, Long> counts = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(collapsed);
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long n;
            try {
                n = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            String stack = line.substring(0, space).replace('.', '/');
            total += n;
            for (Map.Entry<String, Predicate<String>> c : CATEGORIES.entrySet()) {
                if (c.getValue().test(stack)) {
                    counts.merge(c.getKey(), n, Long::sum);
                }
            }
        }
        return new ProfileShares(collapsed, total, counts);
    }

    String line() {
        StringBuilder b = new StringBuilder(file.getFileName().toString());
        b.append(String.format(Locale.ROOT, " (%,d samples):", samples));
        for (String c : CATEGORIES.keySet()) {
            long n = counts.getOrDefault(c, 0L);
            b.append(
                    String.format(
                            Locale.ROOT,
                            " %s %.0f%%,",
                            c,
                            samples == 0 ? 0.0 : 100.0 * n / samples));
        }
        b.setLength(b.length() - 1);
        return b.toString();
    }

    /** Prints the shares of each collapsed-stack file given. */
    public static void main(String[] args) throws IOException {
        for (String a : args) {
            System.out.println(of(Path.of(a)).line());
        }
    }
}
