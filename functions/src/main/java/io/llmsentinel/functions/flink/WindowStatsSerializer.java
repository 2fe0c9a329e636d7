package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.WindowStats;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A window's counts, field by field in a fixed order: the open windows inside {@link KeyState} and
 * the counts an earlier release's window operator held ({@link Observation}). The format is part of
 * {@link KeyStateSerializer}'s: change it only with a new format version there.
 *
 * <p>Format 1: {@code 7 x nullable string (key, service, environment, namespace, provider,
 * operation, model), long windowStartMs, windowEndMs, requests, errors, double costUsd, long
 * costKnown, finishKnown, truncated, contentFiltered, rateLimited, toolExecutions, toolErrors,
 * double cachedTokens, cacheInputTokens, long cacheKnown, double tokens, long tokensKnown,
 * metricCalls, metricErrors, double metricTokens, long metricTokenIntervals, int n (-1: none) [, n
 * x double latencyBounds], int n [, n x long latencyBuckets], double latencyMax}.
 */
public final class WindowStatsSerializer extends RecordSerializer<WindowStats> {
    private static final long serialVersionUID = 1L;

    public static final WindowStatsSerializer INSTANCE = new WindowStatsSerializer();

    @Override
    public WindowStats createInstance() {
        return new WindowStats();
    }

    @Override
    public WindowStats copy(WindowStats from) {
        WindowStats w = new WindowStats();
        w.key = from.key;
        w.windowStartMs = from.windowStartMs;
        w.windowEndMs = from.windowEndMs;
        return w.merge(from);
    }

    @Override
    public void serialize(WindowStats w, DataOutputView out) throws IOException {
        writeNullable(w.key, out);
        writeNullable(w.service, out);
        writeNullable(w.environment, out);
        writeNullable(w.namespace, out);
        writeNullable(w.provider, out);
        writeNullable(w.operation, out);
        writeNullable(w.model, out);
        out.writeLong(w.windowStartMs);
        out.writeLong(w.windowEndMs);
        out.writeLong(w.requests);
        out.writeLong(w.errors);
        out.writeDouble(w.costUsd);
        out.writeLong(w.costKnown);
        out.writeLong(w.finishKnown);
        out.writeLong(w.truncated);
        out.writeLong(w.contentFiltered);
        out.writeLong(w.rateLimited);
        out.writeLong(w.toolExecutions);
        out.writeLong(w.toolErrors);
        out.writeDouble(w.cachedTokens);
        out.writeDouble(w.cacheInputTokens);
        out.writeLong(w.cacheKnown);
        out.writeDouble(w.tokens);
        out.writeLong(w.tokensKnown);
        out.writeLong(w.metricCalls);
        out.writeLong(w.metricErrors);
        out.writeDouble(w.metricTokens);
        out.writeLong(w.metricTokenIntervals);
        if (w.latencyBounds == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(w.latencyBounds.length);
            for (double b : w.latencyBounds) {
                out.writeDouble(b);
            }
        }
        if (w.latencyBuckets == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(w.latencyBuckets.length);
            for (long b : w.latencyBuckets) {
                out.writeLong(b);
            }
        }
        out.writeDouble(w.latencyMax);
    }

    @Override
    public WindowStats deserialize(DataInputView in) throws IOException {
        WindowStats w = new WindowStats();
        w.key = readNullable(in);
        w.service = readNullable(in);
        w.environment = readNullable(in);
        w.namespace = readNullable(in);
        w.provider = readNullable(in);
        w.operation = readNullable(in);
        w.model = readNullable(in);
        w.windowStartMs = in.readLong();
        w.windowEndMs = in.readLong();
        w.requests = in.readLong();
        w.errors = in.readLong();
        w.costUsd = in.readDouble();
        w.costKnown = in.readLong();
        w.finishKnown = in.readLong();
        w.truncated = in.readLong();
        w.contentFiltered = in.readLong();
        w.rateLimited = in.readLong();
        w.toolExecutions = in.readLong();
        w.toolErrors = in.readLong();
        w.cachedTokens = in.readDouble();
        w.cacheInputTokens = in.readDouble();
        w.cacheKnown = in.readLong();
        w.tokens = in.readDouble();
        w.tokensKnown = in.readLong();
        w.metricCalls = in.readLong();
        w.metricErrors = in.readLong();
        w.metricTokens = in.readDouble();
        w.metricTokenIntervals = in.readLong();
        int n = in.readInt();
        if (n >= 0) {
            w.latencyBounds = new double[n];
            for (int i = 0; i < n; i++) {
                w.latencyBounds[i] = in.readDouble();
            }
        }
        n = in.readInt();
        if (n >= 0) {
            w.latencyBuckets = new long[n];
            for (int i = 0; i < n; i++) {
                w.latencyBuckets[i] = in.readLong();
            }
        }
        w.latencyMax = in.readDouble();
        return w;
    }

    static void writeNullable(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            StringValue.writeString(s, out);
        }
    }

    static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? StringValue.readString(in) : null;
    }

    @Override
    public org.apache.flink.api.common.typeutils.TypeSerializerSnapshot<WindowStats>
            snapshotConfiguration() {
        return new Snapshot();
    }

    /** Never a state's own serializer (always inside {@link KeyStateSerializer}'s format). */
    public static final class Snapshot
            extends org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot<
                    WindowStats> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
