package io.llmsentinel.query;

import io.javalin.http.Context;

/**
 * Who makes a request: the name configured beside their token's hash, recorded as the author of
 * every command, acknowledgement and label they make, and whether the token is an admin's.
 */
public record Caller(String name, boolean admin) {
    private static final String ATTRIBUTE = "caller";

    /** Set by {@link AccessControl} once the token is known. */
    void attachTo(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    /** The caller of a request that passed {@link AccessControl} (every route but health). */
    static Caller of(Context ctx) {
        Caller c = ctx.attribute(ATTRIBUTE);
        if (c == null) {
            throw new IllegalStateException("no caller on " + ctx.path() + ": an open route?");
        }
        return c;
    }

    /** A 403 unless the token is in {@code query-api.admin-token-hashes}. */
    Caller requireAdmin() {
        if (!admin) {
            throw new Problem(
                    403,
                    "Admin token required",
                    "changing silences, maintenance windows and rules needs an admin token"
                            + " (query-api.admin-token-hashes)",
                    null);
        }
        return this;
    }
}
