package io.llmsentinel.sinks.delivery;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The writer state of every output with a backlog. Format 1: the name (length-prefixed UTF-8), the
 * number of records, then each record's length and bytes (as its {@link ItemCodec} wrote them).
 */
public final class OutboxStateSerializer implements SimpleVersionedSerializer<OutboxState> {
    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(OutboxState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        writeBytes(out, s.name().getBytes(StandardCharsets.UTF_8));
        out.writeInt(s.items().size());
        for (byte[] item : s.items()) {
            writeBytes(out, item);
        }
        out.flush();
        return bytes.toByteArray();
    }

    @Override
    public OutboxState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException(
                    "backlog state format " + version + " is newer than this build reads (1)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
        String name = new String(readBytes(in), StandardCharsets.UTF_8);
        int n = in.readInt();
        List<byte[]> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(readBytes(in));
        }
        return new OutboxState(name, items);
    }

    static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt backlog state: negative length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
