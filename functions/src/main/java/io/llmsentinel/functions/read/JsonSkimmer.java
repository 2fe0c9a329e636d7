package io.llmsentinel.functions.read;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Walks the structure of a JSON message byte by byte, without tokenizing what it skips: objects,
 * arrays and strings are followed to their end (strings by their quotes and escapes, containers by
 * their brackets, checked against the nesting limit), nothing is decoded. The OTLP trace reader
 * walks the envelope of a message with it and skims every span for the markers of an LLM library
 * ({@link #skipUnlessMarked}), so the HTTP, database and framework spans that make most of an
 * application's traces are passed over at the cost of a byte scan; only the spans that may be model
 * calls, and the resources, are parsed by Jackson.
 *
 * <p>What it skips is checked for structure only: a number, a literal or the UTF-8 of a string
 * inside a skipped span is not validated (nothing of it is used). Errors are {@link
 * InvalidInputException}s: {@code invalid_json} for broken structure, {@code too_deep} beyond the
 * nesting limit.
 */
final class JsonSkimmer {
    private final int maxDepth;
    private final boolean[] objectAt;
    private final boolean[] firstAt;
    private byte[] b;
    private int pos;
    private int end;
    private int depth;
    private int nameStart;
    private int nameEnd;

    JsonSkimmer(int maxDepth) {
        this.maxDepth = maxDepth;
        this.objectAt = new boolean[maxDepth + 2];
        this.firstAt = new boolean[maxDepth + 2];
    }

    /**
     * Prefixes to look for at the start of strings, of four bytes or more, each first compared by
     * its first four bytes as one int.
     */
    static final class Prefixes {
        final byte[][] bytes;
        final int[] heads;

        Prefixes(List<String> prefixes) {
            bytes = new byte[prefixes.size()][];
            heads = new int[prefixes.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = prefixes.get(i).getBytes(StandardCharsets.UTF_8);
                if (bytes[i].length < 4) {
                    throw new IllegalArgumentException("shorter than 4 bytes: " + prefixes.get(i));
                }
                heads[i] = (int) INTS.get(bytes[i], 0);
            }
        }
    }

    static byte[] name(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    void reset(byte[] bytes) {
        b = bytes;
        end = bytes.length;
        depth = 0;
        pos = 0;
        if (end >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            pos = 3; // a UTF-8 byte order mark
        }
    }

    /** Where the next value starts (after {@link #peek()}). */
    int position() {
        return pos;
    }

    /** How many containers are open. */
    int depth() {
        return depth;
    }

    /** Continues after a value that another parser read from {@link #position()}. */
    void continueAt(int position) {
        pos = position;
    }

    /** Goes back to a position and depth noted before, within the same container. */
    void continueAt(int position, int depth) {
        pos = position;
        this.depth = depth;
    }

    /** The next byte after whitespace, not consumed; -1 at the end. */
    int peek() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c & 0xFF;
            }
            pos++;
        }
        return -1;
    }

    /** What the next value is, in the words of the readers' errors. */
    String describeNext() {
        int c = peek();
        return switch (c) {
            case -1 -> "missing";
            case '{' -> "an object";
            case '[' -> "an array";
            case '"' -> "a string";
            case 't', 'f' -> "a boolean";
            case 'n' -> "null";
            default -> c == '-' || (c >= '0' && c <= '9') ? "a number" : "'" + (char) c + "'";
        };
    }

    /** Opens the object that must come next; {@code what} names it in the error otherwise. */
    void enterObject(String what) {
        if (peek() != '{') {
            throw wrongType(what, "an object");
        }
        open(true);
    }

    /** Opens the array that must come next; {@code what} names it in the error otherwise. */
    void enterArray(String what) {
        if (peek() != '[') {
            throw wrongType(what, "an array");
        }
        open(false);
    }

    /**
     * Moves to the next field of the open object: true with the position at its value; false after
     * the object's closing brace.
     */
    boolean nextField() {
        int c = peek();
        if (c == '}') {
            close(true);
            return false;
        }
        if (!firstAt[depth]) {
            if (c != ',') {
                throw unexpected("',' or '}'");
            }
            pos++;
            c = peek();
        }
        firstAt[depth] = false;
        if (c != '"') {
            throw unexpected("a field name");
        }
        nameStart = pos + 1;
        nameEnd = endOfString(nameStart);
        pos = nameEnd + 1;
        if (peek() != ':') {
            throw unexpected("':'");
        }
        pos++;
        if (peek() == -1) {
            throw unexpected("a value");
        }
        return true;
    }

    /** Whether the current field's name is {@code name} (as written, escapes not decoded). */
    boolean fieldIs(byte[] name) {
        if (nameEnd - nameStart != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (b[nameStart + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Moves to the next element of the open array: true with the position at it; false after the
     * array's closing bracket.
     */
    boolean nextElement() {
        int c = peek();
        if (c == ']') {
            close(false);
            return false;
        }
        if (!firstAt[depth]) {
            if (c != ',') {
                throw unexpected("',' or ']'");
            }
            pos++;
            c = peek();
        }
        firstAt[depth] = false;
        if (c == -1 || c == ']') {
            throw unexpected("a value");
        }
        return true;
    }

    /** Passes over the next value. */
    void skipValue() {
        int c = peek();
        if (c == '{' || c == '[') {
            skipContainer(null);
        } else if (c == '"') {
            pos = endOfString(pos + 1) + 1;
        } else {
            skipScalar();
        }
    }

    /**
     * Passes over the next value (an object or an array) unless one of its strings starts with one
     * of {@code markers}: then returns false at once, the position left inside it. A string whose
     * start is escaped counts as marked: it cannot be told from the bytes.
     */
    boolean skipUnlessMarked(Prefixes markers) {
        return skipContainer(markers);
    }

    private boolean skipContainer(Prefixes markers) {
        int base = depth;
        open(b[pos] == '{');
        // OTLP writes an attribute's name as {"key": "<name>", ...}: only the string after a
        // "key" is compared with the markers, not every name and value of the span
        boolean nameNext = false;
        while (true) {
            if (pos >= end) {
                throw endOfInput();
            }
            byte c = b[pos];
            if (c == '"') {
                int i = pos + 1;
                if (markers != null) {
                    int head = i + 4 <= end ? (int) INTS.get(b, i) : 0;
                    if (nameNext) {
                        if (marked(i, head, markers)) {
                            return false;
                        }
                        nameNext = false;
                    } else {
                        // an escape may hide the word "key": then the next string is compared
                        nameNext = head == KEY || hasBackslash(head);
                    }
                }
                pos = endOfString(i) + 1;
            } else if (c == '{' || c == '[') {
                open(c == '{');
            } else if (c == '}' || c == ']') {
                close(c == '}');
                if (depth == base) {
                    return true;
                }
            } else {
                pos++;
            }
        }
    }

    private boolean marked(int i, int head, Prefixes markers) {
        if (i + 4 > end) {
            return false; // shorter than any marker, or cut off (the caller finds that out)
        }
        int[] heads = markers.heads;
        for (int k = 0; k < heads.length; k++) {
            if (heads[k] == head && startsWith(i, markers.bytes[k])) {
                return true;
            }
        }
        // an escape among the first bytes hides what they say
        return hasBackslash(head);
    }

    private static boolean hasBackslash(int fourBytes) {
        int x = fourBytes ^ 0x5C5C5C5C;
        return ((x - 0x01010101) & ~x & 0x80808080) != 0;
    }

    private boolean startsWith(int i, byte[] prefix) {
        if (i + prefix.length > end) {
            return false;
        }
        for (int k = 4; k < prefix.length; k++) {
            byte c = b[i + k];
            if (c != prefix[k]) {
                return c == '\\';
            }
        }
        return true;
    }

    private void skipScalar() {
        int start = pos;
        while (pos < end) {
            byte c = b[pos];
            if ((c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || c == '-'
                    || c == '+'
                    || c == '.') {
                pos++;
            } else {
                break;
            }
        }
        if (pos == start) {
            throw unexpected("a value");
        }
    }

    private void open(boolean object) {
        if (depth >= maxDepth) {
            throw tooDeep();
        }
        depth++;
        objectAt[depth] = object;
        firstAt[depth] = true;
        pos++;
    }

    private void close(boolean object) {
        if (depth == 0 || objectAt[depth] != object) {
            throw unexpected("a value");
        }
        depth--;
        pos++;
    }

    /**
     * The index of the quote that closes the string whose characters start at {@code i}. Eight
     * bytes at a time: strings (values, stack traces, queries) are most of a span's bytes.
     */
    private int endOfString(int i) {
        while (true) {
            while (i + 8 <= end) {
                long w = (long) LONGS.get(b, i);
                long quote = w ^ QUOTES;
                long backslash = w ^ BACKSLASHES;
                long found =
                        ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash) & HIGH_BITS;
                if (found != 0) {
                    // the lowest flagged byte is exact: a quote or a backslash
                    i += Long.numberOfTrailingZeros(found) >>> 3;
                    break;
                }
                i += 8;
            }
            if (i >= end) {
                throw endOfInput();
            }
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            i += c == '\\' ? 2 : 1;
        }
    }

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** {@code key"}: the four bytes of the name of an attribute's name, and its closing quote. */
    private static final int KEY = (int) INTS.get(new byte[] {'k', 'e', 'y', '"'}, 0);

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

    private InvalidInputException tooDeep() {
        return new InvalidInputException(
                InvalidReason.TOO_DEEP,
                "Document nesting depth ("
                        + (depth + 1)
                        + ") exceeds the maximum allowed ("
                        + maxDepth
                        + ")");
    }

    private InvalidInputException wrongType(String what, String expected) {
        return new InvalidInputException(
                InvalidReason.WRONG_TYPE,
                what + " must be " + expected + " but is " + describeNext());
    }

    private InvalidInputException unexpected(String expected) {
        if (pos >= end) {
            return endOfInput();
        }
        return new InvalidInputException(
                InvalidReason.INVALID_JSON,
                "unexpected "
                        + describeNext()
                        + " at byte "
                        + pos
                        + " where "
                        + expected
                        + " was expected");
    }

    private InvalidInputException endOfInput() {
        return new InvalidInputException(
                InvalidReason.INVALID_JSON, "unexpected end of the message at byte " + end);
    }
}
