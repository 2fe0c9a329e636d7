package io.llmsentinel.sinks.delivery;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Building blocks of {@link ItemCodec}s: a format byte, then length-prefixed fields. */
public final class Codecs {
    private Codecs() {}

    /** A text record (InfluxDB line protocol): format 1, then UTF-8. */
    public static ItemCodec<String> text() {
        return new ItemCodec<>() {
            @Override
            public byte[] encode(String s) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[utf8.length + 1];
                out[0] = 1;
                System.arraycopy(utf8, 0, out, 1, utf8.length);
                return out;
            }

            @Override
            public String decode(byte[] b) throws IOException {
                if (b.length == 0 || b[0] != 1) {
                    throw new IOException(
                            "unknown text record format " + (b.length == 0 ? -1 : b[0]));
                }
                return new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
            }
        };
    }

    /** Writes a record: {@code out.writeByte(format)} first, then fields. */
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    public static byte[] write(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        w.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    public static DataInputStream read(byte[] b) {
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    /** A string of any length (no 64 KB limit as with writeUTF); null allowed. */
    public static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    public static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        return new String(readBytes(in, n), StandardCharsets.UTF_8);
    }

    public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    public static byte[] readBytes(DataInputStream in) throws IOException {
        return readBytes(in, in.readInt());
    }

    private static byte[] readBytes(DataInputStream in, int n) throws IOException {
        if (n < 0 || n > in.available()) {
            throw new IOException("corrupt backlog record: length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
