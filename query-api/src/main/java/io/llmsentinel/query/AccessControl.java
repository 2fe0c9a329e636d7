package io.llmsentinel.query;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * Runs before every route: refuses requests over the size limit, answers CORS preflights for the
 * allowed origins, and identifies the caller by bearer token ({@link Caller}) on every path but
 * health and the dashboard's own files.
 */
final class AccessControl implements Handler {
    /** Paths anyone may read: health, the dashboard's own files. */
    private static final List<String> OPEN =
            List.of("/health/live", "/health/ready", "/", "/index.html", "/app.js", "/app.css");

    private final BearerTokens tokens;
    private final List<String> allowedOrigins;
    private final long maxRequestBytes;

    AccessControl(BearerTokens tokens, List<String> allowedOrigins, long maxRequestBytes) {
        this.tokens = tokens;
        this.allowedOrigins = allowedOrigins;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public void handle(Context ctx) {
        ctx.attribute("start", System.nanoTime());
        // Javalin enforces its limit only where a body is read; refuse before any route reads one.
        if (ctx.contentLength() > maxRequestBytes
                || (ctx.contentLength() < 0 && ctx.header("Transfer-Encoding") != null)) {
            throw tooLarge(maxRequestBytes);
        }
        String origin = ctx.header("Origin");
        boolean allowed = origin != null && allowedOrigins.contains(origin);
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        }
        if (ctx.method() == HandlerType.OPTIONS) {
            if (!allowed) {
                throw new Problem(
                        403, "Origin not allowed", "this origin may not call the API", null);
            }
            ctx.header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            ctx.header("Access-Control-Max-Age", "600");
            return;
        }
        if (OPEN.contains(ctx.path())) {
            return;
        }
        String auth = ctx.header("Authorization");
        boolean bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7);
        Caller caller = bearer ? tokens.identify(auth.substring(7).trim()) : null;
        if (caller == null) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"llm-sentinel\"");
            throw new Problem(
                    401,
                    "Unauthorized",
                    auth == null ? "a bearer token is required" : "the bearer token is not valid",
                    null);
        }
        caller.attachTo(ctx);
    }

    static Problem tooLarge(long maxRequestBytes) {
        return new Problem(
                413,
                "Request too large",
                "requests are limited to " + maxRequestBytes + " bytes",
                null);
    }
}
