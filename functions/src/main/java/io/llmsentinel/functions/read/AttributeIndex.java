package io.llmsentinel.functions.read;

import java.util.List;

/**
 * Finds an attribute name among the few a reader uses straight from the parser's character buffer,
 * without making a String of every key of every span: most spans of an application are HTTP,
 * database and framework spans whose keys are all unknown here. Open addressing over a table four
 * times larger than the names.
 */
final class AttributeIndex {
    private final char[][] names;
    private final int[] slots;
    private final int mask;

    AttributeIndex(List<String> names) {
        int size = Integer.highestOneBit(Math.max(4, names.size() * 4) - 1) << 1;
        this.names = new char[size][];
        this.slots = new int[size];
        this.mask = size - 1;
        for (int i = 0; i < names.size(); i++) {
            char[] name = names.get(i).toCharArray();
            int at = hash(name, 0, name.length) & mask;
            while (this.names[at] != null) {
                at = (at + 1) & mask;
            }
            this.names[at] = name;
            slots[at] = i;
        }
    }

    /** The index of the name held in {@code chars[offset..offset+length)}, or -1. */
    int find(char[] chars, int offset, int length) {
        int at = hash(chars, offset, length) & mask;
        char[] name;
        while ((name = names[at]) != null) {
            if (name.length == length && same(name, chars, offset)) {
                return slots[at];
            }
            at = (at + 1) & mask;
        }
        return -1;
    }

    int find(String key) {
        char[] chars = key.toCharArray();
        return find(chars, 0, chars.length);
    }

    private static boolean same(char[] name, char[] chars, int offset) {
        for (int i = 0; i < name.length; i++) {
            if (name[i] != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(char[] chars, int offset, int length) {
        int h = length;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + chars[i];
        }
        return h ^ (h >>> 16);
    }
}
