package io.llmsentinel.sinks.delivery;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The writer state of every output with a backlog.
 *
 * <ul>
 *   <li>Format 2: the name (length-prefixed UTF-8), the number of records, then per record its
 *       write time (epoch ms, a long), its length and its bytes (as its {@link ItemCodec} wrote
 *       them).
 *   <li>Format 1 (read, never written): the same without write times; its records restore with
 *       {@link OutboxState#UNKNOWN_WRITE_TIME}, and their give-up-after counts from the restore.
 * </ul>
 *
 * A checkpoint writes the whole backlog, so the state is written into one buffer of its exact size:
 * no growing and copying of a buffer that may hold tens of megabytes.
 */
public final class OutboxStateSerializer implements SimpleVersionedSerializer<OutboxState> {
    public static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(OutboxState s) throws IOException {
        byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
        long size = 4L + name.length + 4;
        for (OutboxState.Item item : s.items()) {
            size += 8 + 4 + item.bytes().length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException(
                    "backlog '"
                            + s.name()
                            + "' is too large for one checkpoint ("
                            + size
                            + " bytes); lower sinks.delivery.max-backlog");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt(name.length).put(name);
        out.putInt(s.items().size());
        for (OutboxState.Item item : s.items()) {
            out.putLong(item.writtenAtMs());
            out.putInt(item.bytes().length).put(item.bytes());
        }
        return out.array();
    }

    @Override
    public OutboxState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != 2) {
            throw new IOException(
                    "backlog state format "
                            + version
                            + " is not one this build reads (1, 2): restore with the build that"
                            + " wrote it, or a later one");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
        String name = new String(readBytes(in), StandardCharsets.UTF_8);
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt backlog state of '" + name + "': " + n + " records");
        }
        List<OutboxState.Item> items = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            long writtenAtMs = version >= 2 ? in.readLong() : OutboxState.UNKNOWN_WRITE_TIME;
            items.add(new OutboxState.Item(writtenAtMs, readBytes(in)));
        }
        return new OutboxState(name, items);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("corrupt backlog state: record length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
