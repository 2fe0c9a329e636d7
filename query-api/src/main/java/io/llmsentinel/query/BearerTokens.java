package io.llmsentinel.query;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.QueryApiOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The configured bearer tokens ({@code query-api.token-hashes}, {@code
 * query-api.admin-token-hashes}): each the SHA-256 of a token with the name its holder acts under.
 * An entry is {@code NAME:SHA256HEX}, or a bare hash (the format before names), named {@code
 * token-<its first 8 hex>}. The name, never anything a request says, is the author of what the
 * token does.
 */
public final class BearerTokens {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** One configured token. */
    record Entry(String name, byte[] sha256, boolean admin) {}

    private final List<Entry> entries;

    private BearerTokens(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * Reads both lists; a malformed entry, or one hash given two names, stops the start with a
     * {@link ConfigException} naming the key.
     */
    public static BearerTokens parse(List<String> tokenHashes, List<String> adminTokenHashes) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> nameOfHash = new LinkedHashMap<>();
        read(QueryApiOptions.TOKEN_HASHES.key(), tokenHashes, false, entries, nameOfHash);
        read(QueryApiOptions.ADMIN_TOKEN_HASHES.key(), adminTokenHashes, true, entries, nameOfHash);
        return new BearerTokens(List.copyOf(entries));
    }

    private static void read(
            String key,
            List<String> values,
            boolean admin,
            List<Entry> into,
            Map<String, String> nameOfHash) {
        for (String raw : values) {
            String v = raw.trim();
            int colon = v.lastIndexOf(':');
            String name = colon < 0 ? null : v.substring(0, colon).trim();
            String hex = (colon < 0 ? v : v.substring(colon + 1)).trim().toLowerCase(Locale.ROOT);
            if (!SHA256_HEX.matcher(hex).matches()) {
                throw new ConfigException(
                        "'"
                                + key
                                + "': an entry is NAME:SHA256HEX (64 hex characters: printf %s"
                                + " \"$TOKEN\" | sha256sum), not '"
                                + abbreviate(v)
                                + "'");
            }
            if (name == null) {
                name = "token-" + hex.substring(0, 8);
            } else if (!NAME.matcher(name).matches()) {
                throw new ConfigException(
                        "'"
                                + key
                                + "': the name '"
                                + abbreviate(name)
                                + "' must be 1 to 64 letters, digits or . _ @ + - (starting with"
                                + " a letter or digit)");
            }
            String earlier = nameOfHash.putIfAbsent(hex, name);
            if (earlier != null && !earlier.equals(name)) {
                throw new ConfigException(
                        "'"
                                + key
                                + "': the token hash "
                                + hex.substring(0, 8)
                                + "... is named both '"
                                + earlier
                                + "' and '"
                                + name
                                + "'; one token acts under one name");
            }
            into.add(new Entry(name, HexFormat.of().parseHex(hex), admin));
        }
    }

    /** A hash is not a secret, but a mistyped token pasted in place of one may be. */
    private static String abbreviate(String v) {
        return v.length() <= 12 ? v : v.substring(0, 12) + "...";
    }

    /**
     * Who holds this token: its name and whether it is an admin's; null for an unknown token. Every
     * configured hash is compared, in constant time, whatever matches.
     */
    public Caller identify(String token) {
        byte[] h = sha256(token);
        Entry reader = null;
        Entry admin = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(h, e.sha256())) {
                if (e.admin()) {
                    admin = e;
                } else {
                    reader = e;
                }
            }
        }
        if (admin != null) {
            return new Caller(admin.name(), true);
        }
        return reader == null ? null : new Caller(reader.name(), false);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** For the start-up log: how many, and the names (not secrets; the hashes are not shown). */
    public String describe() {
        TreeSet<String> readers = new TreeSet<>();
        TreeSet<String> admins = new TreeSet<>();
        for (Entry e : entries) {
            (e.admin() ? admins : readers).add(e.name());
        }
        return entries.size() + " configured: " + readers + ", admin " + admins;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
