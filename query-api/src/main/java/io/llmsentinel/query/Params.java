package io.llmsentinel.query;

import io.llmsentinel.functions.detect.DetectorKind;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every query parameter is read through here: checked against a strict shape, or a 400 naming the
 * parameter. Values reach InfluxDB only as bound parameters; the few that become part of a query
 * text (limits, intervals, field names, detector names) come from fixed lists, never from input.
 */
public final class Params {
    /** Names of services, models, providers: letters, digits and a few separators. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._:/@+-]{1,200}");

    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    public static final List<String> SEVERITIES =
            Arrays.stream(Severity.values()).map(Severity::label).toList();
    public static final List<String> DETECTORS =
            Arrays.stream(DetectorKind.values()).map(DetectorKind::code).toList();
    public static final List<String> METRICS =
            Arrays.stream(Metric.values()).map(Metric::code).toList();

    /** Every anomaly type the job emits: each metric's up and down type, and level_shift. */
    public static final List<String> TYPES =
            Stream.concat(
                            Arrays.stream(Metric.values())
                                    .flatMap(m -> Stream.of(m.anomalyType(1), m.anomalyType(-1))),
                            Stream.of("level_shift"))
                    .distinct()
                    .sorted()
                    .toList();

    /** Longest time range one query may cover. */
    public static final Duration MAX_RANGE = Duration.ofDays(31);

    private final Map<String, List<String>> raw;

    public Params(Map<String, List<String>> raw) {
        this.raw = raw;
    }

    /** The parameters sorted, for a cache key that does not depend on their order. */
    public String normalized() {
        return new TreeMap<>(raw).toString();
    }

    String one(String name) {
        List<String> v = raw.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw Problem.badParameter(name, "'" + name + "' was given more than once");
        }
        return v.get(0);
    }

    public void allowOnly(List<String> names) {
        for (String k : raw.keySet()) {
            if (!names.contains(k)) {
                throw Problem.badParameter(k, "unknown parameter '" + k + "'; allowed: " + names);
            }
        }
    }

    public String name(String param) {
        String v = one(param);
        if (v == null) {
            return null;
        }
        if (!NAME.matcher(v).matches()) {
            throw Problem.badParameter(
                    param,
                    "'" + param + "' must be 1-200 letters, digits, spaces or . _ : / @ + -");
        }
        return v;
    }

    public String oneOf(String param, List<String> allowed) {
        String v = one(param);
        if (v == null) {
            return null;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw Problem.badParameter(param, "'" + param + "' must be one of " + allowed);
        }
        return lower;
    }

    private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** A silence, maintenance window or rule id: chosen by its author, printable, up to 128. */
    public static void checkCommandId(String id) {
        if (!COMMAND_ID.matcher(id).matches()) {
            throw Problem.badParameter(
                    "id", "an id is 1 to 128 letters, digits, '.', '_', ':' or '-'");
        }
    }

    public static void checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw Problem.badParameter("id", "an anomaly id is 32 lower-case hex characters");
        }
    }

    /** A value that must be there: a 400 naming the parameter when it is not. */
    public static String required(String value, String param) {
        if (value == null) {
            throw Problem.badParameter(param, "'" + param + "' is required");
        }
        return value;
    }

    public int limit(int defaultValue, int max) {
        String v = one("limit");
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw Problem.badParameter("limit", "'limit' must be a whole number from 1 to " + max);
    }

    public Instant time(String param, Instant defaultValue) {
        String v = one(param);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw Problem.badParameter(
                    param, "'" + param + "' must be an RFC 3339 time such as 2025-11-24T16:00:00Z");
        }
    }

    /** {@code from} and {@code to}: default the last 24 hours; at most {@link #MAX_RANGE}. */
    public Instant[] range(Instant now) {
        Instant to = time("to", now);
        Instant from = time("from", to.minus(Duration.ofHours(24)));
        if (!from.isBefore(to)) {
            throw Problem.badParameter("from", "'from' must be before 'to'");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw Problem.badParameter("from", "the time range may span at most 31 days");
        }
        return new Instant[] {from, to};
    }
}
